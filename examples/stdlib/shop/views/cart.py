"""/cart/: the session's cart.  GET shows it with totals for a country
and a delivery method; POST changes it and redirects back (303)."""
from plainweb.i18n import gettext_ as _
from plainweb.response import SeeOtherResponse
from plainweb.views import TemplateView

from ..cart import Cart
from ..forms import CartForm, CheckoutOptionsForm
from ..models import Product
from ..pricing import HOME_COUNTRY, SHIPPING_METHODS, VAT_RATES
from .mixins import BreadcrumbsMixin, RecentlyViewedMixin


class CartView(BreadcrumbsMixin, RecentlyViewedMixin, TemplateView):
    template_name = "cart.html"

    def get_breadcrumbs(self):
        return [(_("Cart"), self.request.app.url_for("cart"))]

    def get_context_data(self, **kwargs):
        cart = Cart(self.request.session)
        options = CheckoutOptionsForm(
            self.request.args if self.request.args else None,
            initial={"country": HOME_COUNTRY, "shipping": "standard"},
            countries=sorted(((c, r.name) for c, r in VAT_RATES.items()), key=lambda cr: cr[1]),
            methods=[(m.code, str(m.label)) for m in SHIPPING_METHODS])
        opts = options.cleaned_data if options.is_valid() else {}
        lines = cart.lines()
        totals = cart.totals(opts.get("country") or HOME_COUNTRY, opts.get("shipping") or "standard",
                             opts.get("code") or None)
        ctx = super().get_context_data(**kwargs)
        ctx.update(cart=cart, lines=lines, totals=totals, options=options,
                   recently_viewed=self.recently_viewed())
        return ctx

    def post(self, request, **kwargs):
        form = CartForm(request.form)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(cart_errors=form.errors), status=400)
        d = form.cleaned_data
        cart = Cart(request.session)
        if d["action"] == "add":
            cart.add(d["product"], d["quantity"])
            name = Product.objects.get(pk=d["product"]).name
            request.messages.append(_("Added %(name)s to your cart.", name=name))
        elif d["action"] == "set":
            cart.set(d["product"], d["quantity"] or 0)
        elif d["action"] == "remove":
            cart.set(d["product"], 0)
        else:
            cart.clear()
        return SeeOtherResponse(request.app.url_for("cart"))
