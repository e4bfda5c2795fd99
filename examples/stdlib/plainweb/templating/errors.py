"""The template engine's exceptions."""


class TemplateError(Exception):
    """Base of every template error."""


class TemplateNotFound(TemplateError, LookupError):
    def __init__(self, name, tried=()):
        self.name = name
        self.tried = list(tried)
        msg = "template %r not found" % name
        if self.tried:
            msg += " (looked in %s)" % ", ".join(self.tried)
        super().__init__(msg)


class TemplateSyntaxError(TemplateError):
    """A template that does not parse; says where."""

    def __init__(self, message, name=None, lineno=None):
        self.message, self.name, self.lineno = message, name, lineno
        where = "%s, line %s: " % (name or "<string>", lineno) if lineno else ""
        super().__init__(where + message)


class UndefinedError(TemplateError):
    """A template used an undefined value in a way that needs one
    (called it, or did arithmetic with it)."""
