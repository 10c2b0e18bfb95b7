from odoo import models

from ..models.res_partner import PARTNER_MERGE


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    """Merging contacts writes every field of the duplicates onto the contact
    kept, which the tier fields refuse (they are the evaluation's): they are
    left out of that write. Odoo carries company-dependent values over in SQL
    itself, so the merged customer keeps a tier until the next evaluation."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _update_values(self, src_partners, dst_partner):
        return super()._update_values(
            src_partners, dst_partner.with_context(customer_tier_merge=PARTNER_MERGE)
        )
