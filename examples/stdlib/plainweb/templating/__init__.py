"""plainweb's template language: Jinja-like syntax compiled to Python.

    {% extends "base.html" %}
    {% block content %}
      {% for p in products if p.active %}
        {{ loop.index }}. {{ p.name | truncate(40) }} {{ p.price | money }}
      {% else %}
        {{ _("Nothing here yet.") }}
      {% endfor %}
      {% include "_pager.html" with page=page %}
    {% endblock %}

Output is HTML-escaped unless the value is Markup (the `safe` filter,
or what a macro or markdown returns).
"""
from .environment import (BaseLoader, ChoiceLoader, DictLoader, Environment,
                          FileSystemLoader, Template)
from .errors import TemplateError, TemplateNotFound, TemplateSyntaxError, UndefinedError
from .runtime import Markup, Undefined, escape

__all__ = ["BaseLoader", "ChoiceLoader", "DictLoader", "Environment",
           "FileSystemLoader", "Template", "TemplateError", "TemplateNotFound",
           "TemplateSyntaxError", "UndefinedError", "Markup", "Undefined", "escape"]
