{
    "name": "After-sales Follow-up Revisits",
    "summary": "Plan a follow-up revisit of the customer when an after-sales "
    "ticket closes",
    "version": "18.0.1.0.0",
    "category": "Services/After-sales",
    "license": "LGPL-3",
    "author": "Customer Suite Authors",
    "website": "https://github.com/customer-suite/odoo-customer-suite",
    "depends": ["aftersales_sla", "revisit_plan"],
    "data": [
        "views/aftersales_ticket_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "installable": True,
    "auto_install": True,
}
