{
    "name": "Customer Tiers",
    "summary": "Grade customers into tiers from weighted indicators, "
    "re-evaluated on a schedule, with history and notifications",
    "version": "18.0.1.0.0",
    "category": "Sales/CRM",
    "license": "LGPL-3",
    "author": "Customer Suite Authors",
    "website": "https://github.com/customer-suite/odoo-customer-suite",
    "depends": ["account", "contacts", "mail"],
    "data": [
        "security/customer_tiering_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/mail_activity_type_data.xml",
        "data/mail_template_data.xml",
        "views/customer_tier_views.xml",
        "views/customer_tier_indicator_views.xml",
        "views/customer_tier_history_views.xml",
        "views/customer_tier_evaluation_views.xml",
        "views/customer_tier_proposal_views.xml",
        "wizards/customer_tier_preview_views.xml",
        "wizards/customer_tier_override_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/customer_tiering_menus.xml",
    ],
    "demo": [
        "demo/customer_tier_demo.xml",
        "demo/res_partner_demo.xml",
        "demo/account_move_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "customer_tiering/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
