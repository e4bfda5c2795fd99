"""The cart, kept in the session: product ids and quantities only, so
prices are always today's when the cart is shown."""
from dataclasses import dataclass

from .models import Product
from .pricing import Money, compute_totals

MAX_QUANTITY = 10
MAX_LINES = 30


@dataclass
class CartLine:
    product: Product
    quantity: int

    @property
    def unit_price(self):
        return Money(self.product.price)

    @property
    def total(self):
        return self.unit_price * self.quantity


class Cart:
    key = "cart"

    def __init__(self, session):
        self.session = session
        raw = session.get(self.key) or {}
        self.items = {str(k): int(v) for k, v in raw.items() if str(k).isdigit() and int(v) > 0}

    def _save(self):
        self.session[self.key] = dict(self.items)

    def add(self, product_id, quantity=1):
        pid = str(int(product_id))
        if pid not in self.items and len(self.items) >= MAX_LINES:
            raise ValueError("too many lines")
        self.items[pid] = min(MAX_QUANTITY, self.items.get(pid, 0) + quantity)
        self._save()

    def set(self, product_id, quantity):
        pid = str(int(product_id))
        if quantity <= 0:
            self.items.pop(pid, None)
        else:
            self.items[pid] = min(MAX_QUANTITY, quantity)
        self._save()

    def clear(self):
        self.items = {}
        self._save()

    def __len__(self):
        return sum(self.items.values())

    def lines(self):
        products = Product.on_sale.select_related("category").in_bulk(int(k) for k in self.items)
        return [CartLine(products[int(pid)], qty) for pid, qty in sorted(self.items.items(), key=lambda kv: int(kv[0]))
                if int(pid) in products]

    def totals(self, country="NL", shipping="standard", discount=None):
        return compute_totals(self.lines(), country, shipping, discount)
