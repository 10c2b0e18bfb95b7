"""The KPI Dashboard became a client action (it was a window action on an
unsaved form): drop the old window action and its external id, so that the
data file creates the client action under the same id instead of failing on
a record of another model. The menu is pointed at the new action when the
menus load."""


def migrate(cr, version):
    cr.execute(
        """
        DELETE FROM ir_act_window
         WHERE id IN (SELECT res_id FROM ir_model_data
                       WHERE module = 'aftersales_sla'
                         AND name = 'aftersales_kpi_dashboard_action'
                         AND model = 'ir.actions.act_window')
        """
    )
    cr.execute(
        """
        DELETE FROM ir_model_data
         WHERE module = 'aftersales_sla'
           AND name = 'aftersales_kpi_dashboard_action'
           AND model = 'ir.actions.act_window'
        """
    )
