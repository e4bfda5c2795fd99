from django import template
from django.core.cache import cache
from django.db.models import Count

from ..models import Tag

register = template.Library()


@register.filter
def reading_time(text):
    """Minutes to read a text at 200 words a minute (at least 1)."""
    return max(1, len(text.split()) // 200)


@register.inclusion_tag("news/_tag_cloud.html")
def tag_cloud(current=None):
    tags = cache.get("news:tag_cloud")
    if tags is None:
        tags = list(Tag.objects.annotate(n=Count("articles"))
                    .order_by("-n", "name")[:15])
        cache.set("news:tag_cloud", tags, 60)
    return {"tags": tags, "current": current}


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced."""
    q = context["request"].GET.copy()
    for k, v in kwargs.items():
        q[k] = v
    return q.urlencode()
