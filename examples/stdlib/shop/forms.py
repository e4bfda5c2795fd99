"""The site's forms.  None of them writes to the database: the article
form shows a preview, the review and contact forms echo what they
received (and the contact form builds the email it would send)."""
from plainweb import forms
from plainweb.i18n import lazy_gettext as _
from plainweb.validators import ValidationError

from .models import Author, Product, Tag

SORTS = [("", _("Relevance")), ("newest", _("Newest")), ("price", _("Price, low to high")),
         ("-price", _("Price, high to low")), ("rating", _("Best rated"))]


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), min_length=5, max_length=200)
    author = forms.ModelChoiceField(Author.objects.all(), label=_("Author"))
    tags = forms.ModelMultipleChoiceField(Tag.objects.all(), label=_("Tags"), required=False)
    summary = forms.CharField(label=_("Summary"), max_length=300,
                              help_text=_("One or two sentences for the list pages."))
    body = forms.TextField(label=_("Text"), help_text=_("Markdown: ## headings, *emphasis*, lists."))
    publish_on = forms.DateField(label=_("Publish on"), required=False)

    def clean_title(self):
        title = self.cleaned_data["title"]
        if title.isupper():
            raise ValidationError(str(_("Please do not shout in titles.")))
        return title

    def clean(self):
        data = self.cleaned_data
        if data.get("summary") and data.get("body") and data["summary"] == data["body"]:
            raise ValidationError({"summary": str(_("The summary should not repeat the text."))})
        return data


class ReviewForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=60)
    rating = forms.TypedChoiceField(label=_("Rating"), coerce=int,
                                    choices=[(i, "\u2605" * i) for i in range(5, 0, -1)],
                                    widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=120)
    body = forms.TextField(label=_("Review"), min_length=10, max_length=4000)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    email = forms.EmailField(label=_("Email"))
    topic = forms.ChoiceField(label=_("Topic"), choices=[
        ("order", _("An order")), ("product", _("A product")),
        ("journal", _("The journal")), ("other", _("Something else"))])
    message = forms.TextField(label=_("Message"), min_length=10, max_length=5000)
    copy_me = forms.BooleanField(label=_("Send me a copy"), required=False)


class CartForm(forms.Form):
    ACTIONS = [("add", "add"), ("set", "set"), ("remove", "remove"), ("clear", "clear")]
    action = forms.ChoiceField(choices=ACTIONS, required=False, widget=forms.HiddenInput)
    product = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=0, max_value=10, required=False)

    def clean(self):
        data = self.cleaned_data
        action = data.get("action") or "add"
        data["action"] = action
        if action in ("add", "set", "remove"):
            pid = data.get("product")
            if pid is None:
                raise ValidationError({"product": str(_("Which product?"))})
            if not Product.on_sale.filter(pk=pid).exists():
                raise ValidationError({"product": str(_("This product is not for sale."))})
        if action == "add" and not data.get("quantity"):
            data["quantity"] = 1
        return data


class CheckoutOptionsForm(forms.Form):
    country = forms.ChoiceField(label=_("Ship to"), required=False)
    shipping = forms.ChoiceField(label=_("Delivery"), required=False)
    code = forms.CharField(label=_("Discount code"), required=False, max_length=20)

    def __init__(self, *args, countries=(), methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = countries
        self.fields["shipping"].choices = methods


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200, widget=forms.SearchInput)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORTS, required=False)
