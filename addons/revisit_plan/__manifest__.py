{
    "name": "Revisit Plan",
    "summary": "Revisits scheduled by customer tier with recorded outcomes, care "
    "messages on birthdays and festivals, and the hand-over of orphaned "
    "customers",
    "version": "18.0.1.0.0",
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
        "data/ir_cron_data.xml",
        "wizards/revisit_outcome_views.xml",
    ],
    "demo": [],
    "installable": True,
    "application": False,
}
