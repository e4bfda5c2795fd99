"""Forms: declared fields that clean and validate submitted data, and
widgets that render them as HTML.

    class ReviewForm(Form):
        name = CharField(max_length=60)
        rating = IntegerField(min_value=1, max_value=5)

    form = ReviewForm(request.form)
    if form.is_valid(): form.cleaned_data["rating"]
    else: form.errors

Rendering is plain string building with html.escape: a widget is small
enough that a template per widget would cost more than it saves.
"""
import copy
import html
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from . import validators as v
from .i18n import lazy_gettext as _
from .templating.runtime import Markup
from .validators import ValidationError


def _attrs(attrs):
    out = []
    for k, val in attrs.items():
        if val is True:
            out.append(" %s" % k)
        elif val is not False and val is not None:
            out.append(' %s="%s"' % (k, html.escape(str(val), quote=True)))
    return "".join(out)


# --- widgets -----------------------------------------------------------------------


class Widget:
    """Renders a field's value as an HTML control and reads it back from
    the submitted data."""

    def __init__(self, attrs=None):
        self.attrs = dict(attrs or {})

    def __deepcopy__(self, memo):
        result = copy.copy(self)
        memo[id(self)] = result
        result.attrs = dict(self.attrs)
        if hasattr(self, "choices"):
            result.choices = list(self.choices)
        return result

    def value_from_data(self, data, name):
        return data.get(name)

    def format_value(self, value):
        if value is None or value == "":
            return None
        return str(value)

    def render(self, name, value, attrs=None):
        raise NotImplementedError


class Input(Widget):
    input_type = "text"

    def render(self, name, value, attrs=None):
        a = {"type": self.input_type, "name": name, **self.attrs, **(attrs or {})}
        a["value"] = self.format_value(value)
        return Markup("<input%s>" % _attrs(a))


class TextInput(Input):
    input_type = "text"


class EmailInput(Input):
    input_type = "email"


class URLInput(Input):
    input_type = "url"


class NumberInput(Input):
    input_type = "number"


class SearchInput(Input):
    input_type = "search"


class PasswordInput(Input):
    input_type = "password"

    def format_value(self, value):
        return None             # never echo a password back


class HiddenInput(Input):
    input_type = "hidden"


class DateInput(Input):
    input_type = "date"

    def format_value(self, value):
        if isinstance(value, (date, datetime)):
            return value.strftime("%Y-%m-%d")
        return super().format_value(value)


class CheckboxInput(Input):
    input_type = "checkbox"

    def value_from_data(self, data, name):
        if name not in data:
            return False
        return str(data.get(name)).lower() not in ("", "0", "false", "off", "no")

    def render(self, name, value, attrs=None):
        a = {"type": "checkbox", "name": name, "value": "1", "checked": bool(value),
             **self.attrs, **(attrs or {})}
        return Markup("<input%s>" % _attrs(a))


class Textarea(Widget):
    def __init__(self, attrs=None):
        super().__init__({"rows": 8, "cols": 60, **(attrs or {})})

    def render(self, name, value, attrs=None):
        a = {"name": name, **self.attrs, **(attrs or {})}
        return Markup("<textarea%s>%s</textarea>" % (_attrs(a), html.escape(self.format_value(value) or "")))


class Select(Widget):
    allow_multiple = False

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs)
        self.choices = list(choices)

    def _selected(self, value):
        if value is None:
            return set()
        if isinstance(value, (list, tuple, set)):
            return {str(x) for x in value}
        return {str(value)}

    def render(self, name, value, attrs=None):
        a = {"name": name, "multiple": self.allow_multiple, **self.attrs, **(attrs or {})}
        selected = self._selected(value)
        options = []
        for key, label in self.choices:
            options.append('<option value="%s"%s>%s</option>' % (
                html.escape(str(key)), " selected" if str(key) in selected else "",
                html.escape(str(label))))
        return Markup("<select%s>%s</select>" % (_attrs(a), "".join(options)))


class SelectMultiple(Select):
    allow_multiple = True

    def value_from_data(self, data, name):
        getlist = getattr(data, "getlist", None)
        if getlist is not None:
            return getlist(name)
        value = data.get(name)
        return value if isinstance(value, list) else ([value] if value is not None else [])


class RadioSelect(Select):
    def render(self, name, value, attrs=None):
        selected = self._selected(value)
        out = []
        for i, (key, label) in enumerate(self.choices):
            a = {"type": "radio", "name": name, "value": key, "id": "id_%s_%d" % (name, i),
                 "checked": str(key) in selected}
            out.append('<label for="id_%s_%d"><input%s> %s</label>' % (
                name, i, _attrs(a), html.escape(str(label))))
        return Markup('<div class="radios">%s</div>' % "".join(out))


# --- fields ------------------------------------------------------------------------------


class Field:
    widget = TextInput
    default_error_messages = {
        "required": _("This field is required."),
        "invalid": _("Enter a valid value."),
    }
    empty_values = (None, "", [], ())

    def __init__(self, *, required=True, label=None, initial=None, help_text="",
                 widget=None, validators=(), error_messages=None, disabled=False):
        self.required = required
        self.label = label
        self.initial = initial
        self.help_text = help_text
        widget = widget or self.widget
        self.widget = widget() if isinstance(widget, type) else copy.deepcopy(widget)
        self.validators = list(validators)
        self.disabled = disabled
        self.error_messages = {}
        for cls in reversed(type(self).__mro__):
            self.error_messages.update(getattr(cls, "default_error_messages", {}))
        self.error_messages.update(error_messages or {})
        self.name = None

    def __deepcopy__(self, memo):
        # Each form instance gets its own field and widget (choices may
        # be set per request), but shares everything else: querysets
        # and their models must not be copied.
        result = copy.copy(self)
        memo[id(self)] = result
        result.widget = copy.deepcopy(self.widget, memo)
        result.validators = list(self.validators)
        result.error_messages = dict(self.error_messages)
        return result

    def error(self, code, **params):
        message = str(self.error_messages[code])
        return ValidationError(message % params if params else message, code=code)

    def to_python(self, value):
        return value

    def validate(self, value):
        if value in self.empty_values and self.required:
            raise self.error("required")

    def run_validators(self, value):
        if value in self.empty_values:
            return
        errors = []
        for validator in self.validators:
            try:
                validator(value)
            except ValidationError as e:
                errors.extend(e.messages)
        if errors:
            raise ValidationError(errors)

    def clean(self, value):
        value = self.to_python(value)
        self.validate(value)
        self.run_validators(value)
        return value

    def widget_attrs(self):
        return {"required": self.required} if self.required else {}


class CharField(Field):
    def __init__(self, *, max_length=None, min_length=None, strip=True, empty_value="", **kwargs):
        super().__init__(**kwargs)
        self.max_length, self.min_length = max_length, min_length
        self.strip, self.empty_value = strip, empty_value
        if min_length is not None:
            self.validators.append(v.MinLengthValidator(min_length))
        if max_length is not None:
            self.validators.append(v.MaxLengthValidator(max_length))
        self.validators.append(v.ProhibitNullCharactersValidator())

    def to_python(self, value):
        if value in self.empty_values:
            return self.empty_value
        value = str(value)
        return value.strip() if self.strip else value

    def widget_attrs(self):
        attrs = super().widget_attrs()
        if self.max_length is not None and not isinstance(self.widget, Textarea):
            attrs["maxlength"] = self.max_length
        if self.min_length is not None:
            attrs["minlength"] = self.min_length
        return attrs


class TextField(CharField):
    widget = Textarea


class SlugField(CharField):
    default_error_messages = {"invalid": _("Use letters, numbers, underscores or hyphens only.")}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(v.validate_slug)


class EmailField(CharField):
    widget = EmailInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        super().__init__(**kwargs)
        self.validators.append(v.EmailValidator(allowlist=()))


class URLField(CharField):
    widget = URLInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(v.URLValidator())


class IntegerField(Field):
    widget = NumberInput
    default_error_messages = {"invalid": _("Enter a whole number.")}
    _trailing_zeros = re.compile(r"\.0*\s*$")

    def __init__(self, *, min_value=None, max_value=None, **kwargs):
        super().__init__(**kwargs)
        self.min_value, self.max_value = min_value, max_value
        if min_value is not None:
            self.validators.append(v.MinValueValidator(min_value))
        if max_value is not None:
            self.validators.append(v.MaxValueValidator(max_value))

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return int(self._trailing_zeros.sub("", str(value)))
        except ValueError:
            raise self.error("invalid")

    def widget_attrs(self):
        attrs = super().widget_attrs()
        attrs.update({k: val for k, val in (("min", self.min_value), ("max", self.max_value))
                      if val is not None})
        return attrs


class DecimalField(IntegerField):
    default_error_messages = {"invalid": _("Enter a number.")}

    def __init__(self, *, max_digits=None, decimal_places=None, **kwargs):
        super().__init__(**kwargs)
        self.max_digits, self.decimal_places = max_digits, decimal_places
        self.validators.append(v.DecimalValidator(max_digits, decimal_places))

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            d = Decimal(str(value).strip().replace(",", "."))
        except InvalidOperation:
            raise self.error("invalid")
        if not d.is_finite():
            raise self.error("invalid")
        return d

    def widget_attrs(self):
        attrs = super().widget_attrs()
        if self.decimal_places:
            attrs["step"] = str(Decimal(1).scaleb(-self.decimal_places))
        return attrs


class FloatField(IntegerField):
    default_error_messages = {"invalid": _("Enter a number.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise self.error("invalid")


class BooleanField(Field):
    widget = CheckboxInput

    def to_python(self, value):
        if isinstance(value, str) and value.lower() in ("false", "0", "off", "no"):
            return False
        return bool(value)

    def validate(self, value):
        if not value and self.required:
            raise self.error("required")


class DateField(Field):
    widget = DateInput
    input_formats = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y")
    default_error_messages = {"invalid": _("Enter a valid date.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        for fmt in self.input_formats:
            try:
                return datetime.strptime(str(value).strip(), fmt).date()
            except ValueError:
                continue
        raise self.error("invalid")


class ChoiceField(Field):
    widget = Select
    default_error_messages = {
        "invalid_choice": _("Select a valid choice. %(value)s is not one of the available choices."),
    }

    def __init__(self, *, choices=(), **kwargs):
        super().__init__(**kwargs)
        self.choices = choices

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = list(value() if callable(value) else value)
        self.widget.choices = self._choices

    def to_python(self, value):
        return "" if value in self.empty_values else str(value)

    def valid_value(self, value):
        return any(str(k) == str(value) for k, _ in self.choices)

    def validate(self, value):
        super().validate(value)
        if value and not self.valid_value(value):
            raise self.error("invalid_choice", value=value)


class TypedChoiceField(ChoiceField):
    def __init__(self, *, coerce=str, empty_value="", **kwargs):
        super().__init__(**kwargs)
        self.coerce, self.empty_value = coerce, empty_value

    def clean(self, value):
        value = super().clean(value)
        if value == "":
            return self.empty_value
        try:
            return self.coerce(value)
        except (TypeError, ValueError):
            raise self.error("invalid_choice", value=value)


class MultipleChoiceField(ChoiceField):
    widget = SelectMultiple
    default_error_messages = {"invalid_list": _("Enter a list of values.")}

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, (list, tuple)):
            raise self.error("invalid_list")
        return [str(x) for x in value]

    def validate(self, value):
        if self.required and not value:
            raise self.error("required")
        for x in value:
            if not self.valid_value(x):
                raise self.error("invalid_choice", value=x)


class ModelChoiceField(ChoiceField):
    """A choice among rows: the cleaned value is the model instance."""

    def __init__(self, queryset, *, label_from=str, **kwargs):
        self.queryset = queryset
        self.label_from = label_from
        super().__init__(choices=(), **kwargs)

    @property
    def choices(self):
        # Read when the form renders, not when the class is defined:
        # there is no database at import time.
        return [("", "---------")] + [(o.pk, self.label_from(o)) for o in self.queryset.all()]

    @choices.setter
    def choices(self, value):
        pass

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.queryset = self.queryset.all()
        return result

    def widget_render_choices(self):
        self.widget.choices = self.choices

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.queryset.get(pk=int(value))
        except (ValueError, TypeError, self.queryset.model.DoesNotExist):
            raise self.error("invalid_choice", value=value)

    def validate(self, value):
        Field.validate(self, value)


class ModelMultipleChoiceField(ModelChoiceField):
    widget = SelectMultiple

    def to_python(self, value):
        if not value:
            return []
        try:
            pks = [int(x) for x in value]
        except (TypeError, ValueError):
            raise self.error("invalid_choice", value=value)
        found = self.queryset.in_bulk(pks)
        missing = [pk for pk in pks if pk not in found]
        if missing:
            raise self.error("invalid_choice", value=missing[0])
        return [found[pk] for pk in pks]

    @property
    def choices(self):
        return [(o.pk, self.label_from(o)) for o in self.queryset.all()]

    @choices.setter
    def choices(self, value):
        pass


class TagListField(CharField):
    """'a, b,  c' -> ['a', 'b', 'c'], lower-cased, without duplicates."""

    def __init__(self, *, max_tags=10, **kwargs):
        super().__init__(**kwargs)
        self.max_tags = max_tags

    def clean(self, value):
        text = super().clean(value)
        tags = []
        for t in text.split(","):
            t = t.strip().lower()
            if t and t not in tags:
                tags.append(t)
        if len(tags) > self.max_tags:
            raise ValidationError(str(_("At most %(n)d tags.")) % {"n": self.max_tags})
        return tags


# --- forms ------------------------------------------------------------------------------------


class ErrorList(list):
    """A field's errors; renders as <ul class="errorlist">."""

    def __html__(self):
        if not self:
            return ""
        return '<ul class="errorlist">%s</ul>' % "".join(
            "<li>%s</li>" % html.escape(str(e)) for e in self)

    def __str__(self):
        return self.__html__()


class ErrorDict(dict):
    def as_json(self):
        return {k: [str(e) for e in v] for k, v in self.items()}

    def __html__(self):
        return "".join('<li>%s%s</li>' % (html.escape(k), v.__html__()) for k, v in self.items())


class BoundField:
    """A field with the form's data: what templates render."""

    def __init__(self, form, field, name):
        self.form, self.field, self.name = form, field, name
        self.html_name = form.add_prefix(name)

    @property
    def id_for_label(self):
        return "id_" + self.html_name

    @property
    def label(self):
        return self.field.label or self.name.replace("_", " ").capitalize()

    @property
    def errors(self):
        return self.form.errors.get(self.name, ErrorList())

    @property
    def value(self):
        if self.form.is_bound:
            return self.field.widget.value_from_data(self.form.data, self.html_name)
        return self.form.initial.get(self.name, self.field.initial)

    @property
    def help_text(self):
        return self.field.help_text

    @property
    def is_hidden(self):
        return isinstance(self.field.widget, HiddenInput)

    def as_widget(self, **attrs):
        if isinstance(self.field, ModelChoiceField):
            self.field.widget_render_choices()
        a = {"id": self.id_for_label, **self.field.widget_attrs(), **attrs}
        if self.errors:
            a["aria-invalid"] = "true"
        return self.field.widget.render(self.html_name, self.value, a)

    def label_tag(self):
        return Markup('<label for="%s">%s</label>' % (self.id_for_label, html.escape(str(self.label))))

    def __html__(self):
        return self.as_widget()

    def __str__(self):
        return self.as_widget()


class FormMeta(type):
    """Collects the Field attributes, the parents' first, in the order
    they were written."""

    def __new__(mcs, name, bases, attrs):
        declared = [(k, attrs.pop(k)) for k, val in list(attrs.items()) if isinstance(val, Field)]
        cls = super().__new__(mcs, name, bases, attrs)
        fields = {}
        for base in reversed(cls.__mro__[1:]):
            fields.update(getattr(base, "base_fields", {}))
        for k, field in declared:
            field.name = k
            fields[k] = field
        cls.base_fields = fields
        return cls


class Form(metaclass=FormMeta):
    prefix = None

    def __init__(self, data=None, initial=None, prefix=None):
        self.is_bound = data is not None
        self.data = data if data is not None else {}
        self.initial = dict(initial or {})
        if prefix is not None:
            self.prefix = prefix
        # Each form gets its own copies: choices may be set per request.
        self.fields = copy.deepcopy(self.base_fields)
        self._errors = None
        self.cleaned_data = {}

    def add_prefix(self, name):
        return "%s-%s" % (self.prefix, name) if self.prefix else name

    def __iter__(self):
        for name, field in self.fields.items():
            yield BoundField(self, field, name)

    def __getitem__(self, name):
        return BoundField(self, self.fields[name], name)

    @property
    def errors(self):
        if self._errors is None:
            self.full_clean()
        return self._errors

    def is_valid(self):
        return self.is_bound and not self.errors

    def add_error(self, name, error):
        messages = error.messages if isinstance(error, ValidationError) else [str(error)]
        self._errors.setdefault(name or "__all__", ErrorList()).extend(messages)
        if name in self.cleaned_data:
            del self.cleaned_data[name]

    def full_clean(self):
        self._errors = ErrorDict()
        self.cleaned_data = {}
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            raw = field.widget.value_from_data(self.data, self.add_prefix(name))
            try:
                value = field.clean(raw)
                self.cleaned_data[name] = value
                hook = getattr(self, "clean_" + name, None)
                if hook is not None:
                    self.cleaned_data[name] = hook()
            except ValidationError as e:
                self.add_error(name, e)
        try:
            cleaned = self.clean()
            if cleaned is not None:
                self.cleaned_data = cleaned
        except ValidationError as e:
            if e.error_dict:
                for name, messages in e.error_dict.items():
                    self.add_error(name, ValidationError(messages))
            else:
                self.add_error(None, e)

    def clean(self):
        """Checks across fields; subclasses override and may raise."""
        return self.cleaned_data

    def non_field_errors(self):
        return self.errors.get("__all__", ErrorList())

    @property
    def visible_fields(self):
        return [bf for bf in self if not bf.is_hidden]

    @property
    def hidden_fields(self):
        return [bf for bf in self if bf.is_hidden]
