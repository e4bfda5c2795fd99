"""Validators: callables that raise ValidationError for a bad value.
Model fields and form fields share them."""
import ipaddress
import re
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit


class ValidationError(ValueError):
    """One or more problems with a value.  `messages` is a flat list of
    texts; `error_dict` maps field names to lists when raised by a
    form's clean()."""

    def __init__(self, message, code=None, params=None):
        super().__init__(message)
        if isinstance(message, dict):
            self.error_dict = {k: ValidationError(m).messages for k, m in message.items()}
            self.messages = [m for ms in self.error_dict.values() for m in ms]
        elif isinstance(message, (list, tuple)):
            self.error_dict = None
            self.messages = []
            for m in message:
                self.messages.extend(m.messages if isinstance(m, ValidationError) else [str(m)])
        else:
            self.error_dict = None
            self.code = code
            self.params = params
            text = str(message)
            if params:
                text = text % params
            self.messages = [text]

    def __str__(self):
        return "; ".join(self.messages)

    def __iter__(self):
        return iter(self.messages)


class BaseValidator:
    """Compares the value (or a measure of it) with a limit."""

    message = "Ensure this value is %(limit_value)s (it is %(show_value)s)."
    code = "limit_value"

    def __init__(self, limit_value, message=None):
        self.limit_value = limit_value
        if message:
            self.message = message

    def clean(self, value):
        return value

    def compare(self, a, b):
        return a is not b

    def __call__(self, value):
        cleaned = self.clean(value)
        if self.compare(cleaned, self.limit_value):
            params = {"limit_value": self.limit_value, "show_value": cleaned, "value": value}
            raise ValidationError(self.message, code=self.code, params=params)

    def __eq__(self, other):
        return type(self) is type(other) and self.limit_value == other.limit_value

    def __hash__(self):
        return hash((type(self), self.limit_value))


class MaxValueValidator(BaseValidator):
    message = "Ensure this value is less than or equal to %(limit_value)s."
    code = "max_value"

    def compare(self, a, b):
        return a > b


class MinValueValidator(BaseValidator):
    message = "Ensure this value is greater than or equal to %(limit_value)s."
    code = "min_value"

    def compare(self, a, b):
        return a < b


class MinLengthValidator(BaseValidator):
    message = "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d)."
    code = "min_length"

    def compare(self, a, b):
        return a < b

    def clean(self, value):
        return len(value)


class MaxLengthValidator(BaseValidator):
    message = "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d)."
    code = "max_length"

    def compare(self, a, b):
        return a > b

    def clean(self, value):
        return len(value)


class StepValueValidator(BaseValidator):
    message = "Ensure this value is a multiple of %(limit_value)s."
    code = "step_size"

    def compare(self, a, b):
        return a % b != 0


class RegexValidator:
    regex = ""
    message = "Enter a valid value."
    code = "invalid"
    inverse_match = False
    flags = 0

    def __init__(self, regex=None, message=None, code=None, inverse_match=None, flags=None):
        if regex is not None:
            self.regex = regex
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        if inverse_match is not None:
            self.inverse_match = inverse_match
        if flags is not None:
            self.flags = flags
        if isinstance(self.regex, str):
            self.regex = re.compile(self.regex, self.flags)

    def __call__(self, value):
        found = bool(self.regex.search(str(value)))
        if found == self.inverse_match:
            raise ValidationError(self.message, code=self.code, params={"value": value})


class SlugValidator(RegexValidator):
    regex = r"^[-a-zA-Z0-9_]+\Z"
    message = "Enter a valid slug: letters, numbers, underscores or hyphens."
    code = "invalid_slug"


validate_slug = SlugValidator()


class ProhibitNullCharactersValidator:
    message = "Null characters are not allowed."
    code = "null_characters_not_allowed"

    def __call__(self, value):
        if "\x00" in str(value):
            raise ValidationError(self.message, code=self.code)


class EmailValidator:
    """A practical check: one @, a dotted domain (or an IP literal), no
    spaces; deliverability is not this validator's business."""

    message = "Enter a valid email address."
    code = "invalid"
    user_regex = re.compile(
        r"(^[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*\Z"
        r'|^"([\001-\010\013\014\016-\037!#-\[\]-\177]|\\[\001-\011\013\014\016-\177])*"\Z)',
        re.IGNORECASE)
    domain_regex = re.compile(
        r"((?:[A-Z0-9](?:[A-Z0-9-]{0,61}[A-Z0-9])?\.)+)(?:[A-Z0-9-]{2,63}(?<!-))\Z",
        re.IGNORECASE)
    literal_regex = re.compile(r"\[([A-F0-9:.]+)\]\Z", re.IGNORECASE)

    def __init__(self, allowlist=("localhost",)):
        self.allowlist = set(allowlist)

    def __call__(self, value):
        value = str(value)
        if not value or "@" not in value or len(value) > 320:
            raise ValidationError(self.message, code=self.code, params={"value": value})
        user, domain = value.rsplit("@", 1)
        if not self.user_regex.match(user):
            raise ValidationError(self.message, code=self.code, params={"value": value})
        if domain in self.allowlist or self.domain_regex.match(domain):
            return
        m = self.literal_regex.match(domain)
        if m:
            try:
                ipaddress.ip_address(m.group(1))
                return
            except ValueError:
                pass
        raise ValidationError(self.message, code=self.code, params={"value": value})


validate_email = EmailValidator()


class URLValidator:
    message = "Enter a valid URL."
    code = "invalid"
    schemes = ("http", "https")
    host_regex = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9-]{1,63}\.?$", re.I)

    def __init__(self, schemes=None):
        if schemes:
            self.schemes = tuple(schemes)

    def __call__(self, value):
        try:
            parts = urlsplit(str(value))
            host = parts.hostname or ""
            port_ok = parts.port is None or 0 < parts.port < 65536
        except ValueError:
            raise ValidationError(self.message, code=self.code, params={"value": value})
        if parts.scheme not in self.schemes or not host or not port_ok:
            raise ValidationError(self.message, code=self.code, params={"value": value})
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if not self.host_regex.match(host):
                raise ValidationError(self.message, code=self.code, params={"value": value})


class DecimalValidator:
    """At most max_digits digits, decimal_places of them after the point."""

    def __init__(self, max_digits, decimal_places):
        self.max_digits = max_digits
        self.decimal_places = decimal_places

    def __call__(self, value):
        try:
            t = Decimal(str(value)).as_tuple()
        except InvalidOperation:
            raise ValidationError("Enter a number.", code="invalid")
        if not isinstance(t.exponent, int):
            raise ValidationError("Enter a number.", code="invalid")
        decimals = max(0, -t.exponent)
        digits = max(len(t.digits), decimals)
        whole = digits - decimals
        if self.decimal_places is not None and decimals > self.decimal_places:
            raise ValidationError("Ensure that there are no more than %(max)s decimal places.",
                                  code="max_decimal_places", params={"max": self.decimal_places})
        if self.max_digits is not None and whole > self.max_digits - (self.decimal_places or 0):
            raise ValidationError("Ensure that there are no more than %(max)s digits before the decimal point.",
                                  code="max_whole_digits",
                                  params={"max": self.max_digits - (self.decimal_places or 0)})


class ChoiceValidator:
    def __init__(self, choices):
        self.choices = {str(c) for c in choices}

    def __call__(self, value):
        if str(value) not in self.choices:
            raise ValidationError("Select a valid choice. %(value)s is not one of the available choices.",
                                  code="invalid_choice", params={"value": value})
