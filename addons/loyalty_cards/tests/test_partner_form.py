from lxml import etree

from odoo.tests import Form, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestPartnerForm(LoyaltyCase):
    def _form_arch(self, user):
        partner = (
            self.env["res.partner"]
            .with_user(user)
            .with_context(allowed_company_ids=user.company_id.ids)
        )
        arch = partner.get_views([(False, "form")])["views"]["form"]["arch"]
        return etree.fromstring(arch)

    def test_member_cards_and_coupons_are_two_buttons(self):
        """Odoo's "Loyalty Cards" (member cards and coupons, both "会员卡" in
        Chinese) gives way to Member Cards and Coupons."""
        self.env["loyalty.card"].create(
            {"program_id": self.coupon_program.id, "partner_id": self.member.id}
        )
        member = self.member.with_user(self.cashier)
        self.assertEqual((member.member_card_count, member.coupon_count), (1, 1))
        self.assertEqual(member.action_view_coupons()["domain"][1][2], False)
        for user in (self.cashier, self.env.ref("base.user_admin")):
            arch = self._form_arch(user)
            odoo_button = arch.xpath("//button[@name='action_view_loyalty_cards']")
            self.assertTrue(
                all(b.get("invisible") in ("True", "1") for b in odoo_button)
            )
        arch = self._form_arch(self.cashier)
        labels = [
            f.get("string")
            for f in arch.xpath("//div[@name='button_box']//field[@widget='statinfo']")
            if f.get("name") in ("member_card_count", "coupon_count")
        ]
        self.assertEqual(labels, ["Member Cards", "Coupons"])

    def test_store_fields_only_on_stores(self):
        """A customer's form has no Store box nor coordinates; a company can
        be made a store, and a store shows its coordinates."""
        # A loyalty manager who may edit contacts sets up the stores.
        self.manager.groups_id += self.env.ref("base.group_partner_manager")
        Partner = self.env["res.partner"]
        customer = Partner.create({"name": "A customer"})
        shop = Partner.create({"name": "A shop", "is_company": True})
        with Form(customer.with_user(self.manager)) as form:
            for name in ("is_loyalty_store", "partner_latitude", "partner_longitude"):
                self.assertTrue(form._get_modifier(name, "invisible"), name)
        with Form(shop.with_user(self.manager)) as form:
            self.assertFalse(form._get_modifier("is_loyalty_store", "invisible"))
            self.assertTrue(form._get_modifier("partner_latitude", "invisible"))
            form.is_loyalty_store = True
            self.assertFalse(form._get_modifier("partner_latitude", "invisible"))
            form.partner_latitude = 31.23
        self.assertEqual((shop.is_loyalty_store, shop.partner_latitude), (True, 31.23))
