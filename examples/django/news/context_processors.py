from django.conf import settings


def site(request):
    """Site-wide template variables (no query: tags come from a tag)."""
    return {"site_name": "forkd news", "debug": settings.DEBUG}
