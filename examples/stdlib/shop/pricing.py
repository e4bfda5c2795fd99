"""Money, VAT and the rules that turn a cart into a total.

Amounts are Decimals in a Currency; rounding is the currency's minor
unit, half-even (banker's rounding, what most tax authorities accept).
Catalogue prices include VAT at the shop's home rate; a customer in
another EU country pays the same gross price (the shop absorbs the
difference, as small shops under the OSS scheme often do), so only the
VAT shown changes.
"""
import enum
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import List, Optional

from plainweb import i18n


class Currency(enum.Enum):
    EUR = ("EUR", "\u20ac", 2)
    USD = ("USD", "$", 2)
    GBP = ("GBP", "\u00a3", 2)
    CHF = ("CHF", "CHF", 2)
    SEK = ("SEK", "kr", 2)
    DKK = ("DKK", "kr.", 2)
    PLN = ("PLN", "z\u0142", 2)
    CZK = ("CZK", "K\u010d", 2)
    HUF = ("HUF", "Ft", 0)
    JPY = ("JPY", "\u00a5", 0)

    def __init__(self, code, symbol, places):
        self.code = code
        self.symbol = symbol
        self.places = places

    @property
    def quantum(self):
        return Decimal(1).scaleb(-self.places)


class CurrencyMismatch(ValueError):
    pass


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: Currency = Currency.EUR

    def __post_init__(self):
        object.__setattr__(self, "amount",
                           Decimal(self.amount).quantize(self.currency.quantum, ROUND_HALF_EVEN))

    @classmethod
    def zero(cls, currency=Currency.EUR):
        return cls(Decimal(0), currency)

    def _check(self, other):
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency is not self.currency:
            raise CurrencyMismatch("%s and %s" % (self.currency.code, other.currency.code))
        return other

    def __add__(self, other):
        if other == 0:
            return self
        other = self._check(other)
        return Money(self.amount + other.amount, self.currency)

    __radd__ = __add__

    def __sub__(self, other):
        other = self._check(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor):
        return Money(self.amount * Decimal(factor), self.currency)

    __rmul__ = __mul__

    def __neg__(self):
        return Money(-self.amount, self.currency)

    def __lt__(self, other):
        return self.amount < self._check(other).amount

    def __le__(self, other):
        return self.amount <= self._check(other).amount

    def __bool__(self):
        return bool(self.amount)

    def allocate(self, ratios):
        """Splits the amount by ratios without losing a cent (the
        remainder goes to the first shares)."""
        total = sum(ratios)
        unit = self.currency.quantum
        shares = [(self.amount * r / total).quantize(unit, rounding="ROUND_DOWN") for r in ratios]
        left = self.amount - sum(shares)
        i = 0
        while left > 0:
            shares[i % len(shares)] += unit
            left -= unit
            i += 1
        return [Money(s, self.currency) for s in shares]

    def format(self, lang=None):
        fmt = i18n.number_format(lang)
        amount = i18n.format_decimal(abs(self.amount), self.currency.places, lang)
        text = fmt["currency"].format(sym=self.currency.symbol, amount=amount)
        return "\u2212" + text if self.amount < 0 else text

    def __str__(self):
        return self.format()

    def __json__(self):
        return {"amount": str(self.amount), "currency": self.currency.code}


# --- VAT ----------------------------------------------------------------------------


@dataclass(frozen=True)
class VATRate:
    country: str
    name: str
    standard: Decimal
    reduced: Decimal
    currency: Currency = Currency.EUR


def _rate(country, name, standard, reduced, currency=Currency.EUR):
    return VATRate(country, name, Decimal(standard), Decimal(reduced), currency)


# Standard and main reduced rates of the EU members and a few neighbours.
VAT_RATES = {r.country: r for r in [
    _rate("AT", "Austria", "20", "10"), _rate("BE", "Belgium", "21", "6"),
    _rate("BG", "Bulgaria", "20", "9"), _rate("HR", "Croatia", "25", "13"),
    _rate("CY", "Cyprus", "19", "5"), _rate("CZ", "Czechia", "21", "12", Currency.CZK),
    _rate("DK", "Denmark", "25", "25", Currency.DKK), _rate("EE", "Estonia", "22", "9"),
    _rate("FI", "Finland", "25.5", "14"), _rate("FR", "France", "20", "5.5"),
    _rate("DE", "Germany", "19", "7"), _rate("GR", "Greece", "24", "13"),
    _rate("HU", "Hungary", "27", "5", Currency.HUF), _rate("IE", "Ireland", "23", "13.5"),
    _rate("IT", "Italy", "22", "10"), _rate("LV", "Latvia", "21", "12"),
    _rate("LT", "Lithuania", "21", "9"), _rate("LU", "Luxembourg", "17", "8"),
    _rate("MT", "Malta", "18", "7"), _rate("NL", "Netherlands", "21", "9"),
    _rate("PL", "Poland", "23", "8", Currency.PLN), _rate("PT", "Portugal", "23", "6"),
    _rate("RO", "Romania", "19", "9"), _rate("SK", "Slovakia", "23", "10"),
    _rate("SI", "Slovenia", "22", "9.5"), _rate("ES", "Spain", "21", "10"),
    _rate("SE", "Sweden", "25", "12", Currency.SEK),
    _rate("GB", "United Kingdom", "20", "5", Currency.GBP),
    _rate("CH", "Switzerland", "8.1", "2.6", Currency.CHF),
    _rate("NO", "Norway", "25", "15"),
]}
HOME_COUNTRY = "NL"
# Books and food are sold at the reduced rate.
REDUCED_CATEGORIES = frozenset(["books", "kitchen"])


def vat_rate(country, category_slug):
    rate = VAT_RATES.get(country) or VAT_RATES[HOME_COUNTRY]
    return rate.reduced if category_slug in REDUCED_CATEGORIES else rate.standard


def vat_included(gross, rate):
    """The VAT inside a gross amount at `rate` percent."""
    return gross - gross * (Decimal(100) / (Decimal(100) + rate))


# --- discounts ---------------------------------------------------------------------------


class Discount:
    """A rule that may reduce a cart's total.  `applies` says whether it
    does for these lines; `amount` how much (positive)."""

    code = None
    label = ""

    def applies(self, lines):
        return True

    def amount(self, lines, subtotal):
        raise NotImplementedError

    def describe(self):
        return str(self.label)


class PercentageDiscount(Discount):
    def __init__(self, code, percent, label=None, minimum=Decimal(0)):
        self.code = code
        self.percent = Decimal(percent)
        self.minimum = Decimal(minimum)
        self.label = label or i18n.lazy_gettext("%(p)s%% off", p=percent)

    def applies(self, lines):
        return sum(line.total.amount for line in lines) >= self.minimum

    def amount(self, lines, subtotal):
        return subtotal * (self.percent / 100)


class FixedDiscount(Discount):
    def __init__(self, code, value, minimum, label=None):
        self.code = code
        self.value = Money(Decimal(value))
        self.minimum = Decimal(minimum)
        self.label = label or i18n.lazy_gettext("%(v)s off orders over %(m)s", v=value, m=minimum)

    def applies(self, lines):
        return sum(line.total.amount for line in lines) >= self.minimum

    def amount(self, lines, subtotal):
        return min(self.value, subtotal)


class CategoryDiscount(PercentageDiscount):
    """A percentage off the lines of one category."""

    def __init__(self, code, percent, category_slug, label=None):
        super().__init__(code, percent, label)
        self.category_slug = category_slug

    def _lines(self, lines):
        return [line for line in lines if line.product.category.slug == self.category_slug]

    def applies(self, lines):
        return bool(self._lines(lines))

    def amount(self, lines, subtotal):
        return sum((line.total for line in self._lines(lines)), Money.zero()) * (self.percent / 100)


class BuyXGetYFree(Discount):
    """The cheapest of every `x + y` units of a category is free."""

    def __init__(self, code, x, y, category_slug, label=None):
        self.code, self.x, self.y, self.category_slug = code, x, y, category_slug
        self.label = label or i18n.lazy_gettext("Buy %(x)d, get %(y)d free", x=x, y=y)

    def applies(self, lines):
        units = sum(line.quantity for line in lines if line.product.category.slug == self.category_slug)
        return units >= self.x + self.y

    def amount(self, lines, subtotal):
        prices = sorted(line.unit_price for line in lines
                        if line.product.category.slug == self.category_slug
                        for _ in range(line.quantity))
        free = (len(prices) // (self.x + self.y)) * self.y
        return sum(prices[:free], Money.zero())


# --- shipping ------------------------------------------------------------------------------


class ShippingMethod:
    code = None
    label = ""
    days = (2, 4)

    def available(self, weight_grams, country):
        return True

    def cost(self, weight_grams, subtotal, country):
        raise NotImplementedError


class StandardShipping(ShippingMethod):
    code = "standard"
    label = i18n.lazy_gettext("Standard delivery")
    bands = ((1000, "4.95"), (5000, "6.95"), (20000, "12.95"))
    free_over = Decimal("75")

    def available(self, weight_grams, country):
        return weight_grams <= self.bands[-1][0]

    def cost(self, weight_grams, subtotal, country):
        if subtotal.amount >= self.free_over:
            return Money.zero()
        for limit, price in self.bands:
            if weight_grams <= limit:
                extra = Decimal("0") if country == HOME_COUNTRY else Decimal("5")
                return Money(Decimal(price) + extra)
        raise ValueError("too heavy")


class ExpressShipping(StandardShipping):
    code = "express"
    label = i18n.lazy_gettext("Express, next working day")
    days = (1, 1)
    free_over = Decimal("250")

    def available(self, weight_grams, country):
        return super().available(weight_grams, country) and country in ("NL", "BE", "DE", "LU")

    def cost(self, weight_grams, subtotal, country):
        base = super().cost(weight_grams, subtotal, country)
        return base + Money(Decimal("9.00")) if subtotal.amount < self.free_over else base


class PickupShipping(ShippingMethod):
    code = "pickup"
    label = i18n.lazy_gettext("Pick up at the shop")
    days = (0, 1)

    def available(self, weight_grams, country):
        return country == HOME_COUNTRY

    def cost(self, weight_grams, subtotal, country):
        return Money.zero()


SHIPPING_METHODS = [StandardShipping(), ExpressShipping(), PickupShipping()]
DISCOUNTS = {d.code: d for d in [
    PercentageDiscount("WELCOME10", 10, minimum=30),
    FixedDiscount("SPRING15", 15, 100),
    CategoryDiscount("BOOKWORM", 20, "books"),
    BuyXGetYFree("TOOLS3FOR2", 2, 1, "tools"),
]}


# --- a cart's total -------------------------------------------------------------------------


@dataclass
class Totals:
    subtotal: Money
    discount: Money
    discount_label: Optional[str]
    shipping: Money
    shipping_method: Optional[ShippingMethod]
    vat: Money
    total: Money
    weight_grams: int
    notes: List[str] = field(default_factory=list)


def compute_totals(lines, country=HOME_COUNTRY, shipping_code="standard", discount_code=None):
    subtotal = sum((line.total for line in lines), Money.zero())
    weight = sum(line.product.weight_grams * line.quantity for line in lines)
    notes = []
    discount, label = Money.zero(), None
    rule = DISCOUNTS.get((discount_code or "").upper())
    if discount_code and rule is None:
        notes.append(i18n.gettext_("Unknown discount code %(c)s.", c=discount_code))
    elif rule is not None and rule.applies(lines):
        discount, label = rule.amount(lines, subtotal), rule.describe()
    elif rule is not None:
        notes.append(i18n.gettext_("The code %(c)s does not apply to this cart.", c=discount_code))
    method = next((m for m in SHIPPING_METHODS if m.code == shipping_code and m.available(weight, country)),
                  None)
    shipping = method.cost(weight, subtotal - discount, country) if method and lines else Money.zero()
    vat = sum((Money(vat_included(line.total.amount, vat_rate(country, line.product.category.slug)))
               for line in lines), Money.zero())
    if subtotal and discount:
        vat = vat * ((subtotal - discount).amount / subtotal.amount)
    return Totals(subtotal, discount, label, shipping, method, vat,
                  subtotal - discount + shipping, weight, notes)
