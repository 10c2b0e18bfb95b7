from .portal import LoyaltyCardsPortal


class LoyaltyCardsPortalPointsExpiry(LoyaltyCardsPortal):
    """The points of the customer's own member card that expire next, on
    its portal page (the card is found as the page finds it: the logged-in
    customer's only)."""

    def _member_card_values(self, card, page, pin_error=None, pin_done=False):
        values = super()._member_card_values(
            card, page, pin_error=pin_error, pin_done=pin_done
        )
        values["points_expiries"] = card._points_expiry_upcoming()
        return values
