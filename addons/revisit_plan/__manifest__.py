{
    "name": "Revisit Plan",
    "summary": "Revisits scheduled by customer tier with recorded outcomes, care "
    "messages on birthdays and festivals, and the hand-over of orphaned "
    "customers",
    "version": "18.0.2.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Customer Suite Authors",
    "website": "https://github.com/customer-suite/odoo-customer-suite",
    "depends": ["customer_tiering", "mail", "contacts"],
    "external_dependencies": {"python": ["lunar-python"]},
    "data": [
        "security/revisit_plan_security.xml",
        "security/ir.model.access.csv",
        "data/mail_activity_type_data.xml",
        "data/mail_template_data.xml",
        "data/revisit_occasion_data.xml",
        "data/revisit_summary_templates.xml",
        "data/ir_cron_data.xml",
        "views/revisit_record_views.xml",
        "views/revisit_rule_views.xml",
        "views/revisit_occasion_views.xml",
        "views/revisit_report_views.xml",
        "wizards/revisit_outcome_views.xml",
        "wizards/revisit_schedule_views.xml",
        "wizards/revisit_reassign_views.xml",
        "views/res_partner_views.xml",
        "views/res_users_views.xml",
        "views/res_config_settings_views.xml",
        "views/revisit_plan_menus.xml",
    ],
    "demo": ["demo/revisit_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "revisit_plan/static/src/js/*.js",
        ],
        "web.assets_tests": [
            "revisit_plan/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
