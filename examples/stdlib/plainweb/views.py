"""Class-based views and their mixins.

A view class is turned into a function with `as_view()`; each request
gets a fresh instance, so views may keep per-request state on `self`.
`dispatch` picks the method named after the HTTP method.  The generic
views below are assembled from mixins the way the site's own views are:

    ListView   = TemplateResponseMixin + MultipleObjectMixin + View
    DetailView = TemplateResponseMixin + SingleObjectMixin + View
    FormView   = TemplateResponseMixin + FormMixin + View
    APIListView, APIDetailView: the same with JSON and serializers
"""
import functools

from . import exceptions
from .pagination import Paginator
from .response import (HTMLResponse, JSONResponse, RedirectResponse, Response,
                       XMLResponse)


class View:
    http_method_names = ("get", "post", "put", "patch", "delete", "head", "options")
    # Views that take a POST from anywhere (load tests, API clients)
    # say so; the cross-origin check skips them.
    csrf_exempt = False

    def __init__(self, **kwargs):
        for key, value in kwargs.items():
            setattr(self, key, value)

    @classmethod
    def as_view(cls, **initkwargs):
        for key in initkwargs:
            if not hasattr(cls, key):
                raise TypeError("%s has no attribute %r to set in as_view()" % (cls.__name__, key))

        def view(request, **kwargs):
            self = cls(**initkwargs)
            self.request = request
            self.kwargs = kwargs
            return self.dispatch(request, **kwargs)

        view.view_class = cls
        view.csrf_exempt = cls.csrf_exempt
        functools.update_wrapper(view, cls, updated=())
        return view

    def allowed_methods(self):
        return [m.upper() for m in self.http_method_names if hasattr(self, m)]

    def dispatch(self, request, **kwargs):
        name = request.method.lower()
        if name == "head" and not hasattr(self, "head"):
            name = "get"
        handler = getattr(self, name, None) if name in self.http_method_names else None
        if handler is None:
            raise exceptions.MethodNotAllowed(self.allowed_methods())
        return handler(request, **kwargs)

    def options(self, request, **kwargs):
        return Response(b"", 204, [("Allow", ", ".join(self.allowed_methods()))],
                        content_type=None)


class ContextMixin:
    extra_context = None

    def get_context_data(self, **kwargs):
        kwargs.setdefault("view", self)
        if self.extra_context:
            kwargs.update(self.extra_context)
        return kwargs


class TemplateResponseMixin:
    template_name = None
    response_class = HTMLResponse

    def get_template_names(self):
        if self.template_name is None:
            raise exceptions.ImproperlyConfigured("%s needs a template_name" % type(self).__name__)
        return [self.template_name]

    def render_to_response(self, context, status=200):
        body = self.request.app.render(self.get_template_names(), context, self.request)
        return self.response_class(body, status)


class TemplateView(TemplateResponseMixin, ContextMixin, View):
    def get(self, request, **kwargs):
        return self.render_to_response(self.get_context_data(**kwargs))


class RedirectView(View):
    url = None
    pattern_name = None
    permanent = False
    query_string = False

    def get_redirect_url(self, **kwargs):
        if self.url:
            url = self.url % kwargs
        elif self.pattern_name:
            url = self.request.app.url_for(self.pattern_name, **kwargs)
        else:
            return None
        if self.query_string and self.request.query_string:
            url += "?" + self.request.query_string
        return url

    def get(self, request, **kwargs):
        url = self.get_redirect_url(**kwargs)
        if url is None:
            raise exceptions.Gone()
        return RedirectResponse(url, 301 if self.permanent else 302)


# --- objects -------------------------------------------------------------------------


class SingleObjectMixin(ContextMixin):
    model = None
    queryset = None
    slug_field = "slug"
    slug_url_kwarg = "slug"
    pk_url_kwarg = "pk"
    context_object_name = None

    def get_queryset(self):
        if self.queryset is not None:
            return self.queryset.all()
        if self.model is None:
            raise exceptions.ImproperlyConfigured("%s needs a model or a queryset" % type(self).__name__)
        return self.model.objects.all()

    def get_object(self, queryset=None):
        qs = queryset if queryset is not None else self.get_queryset()
        pk = self.kwargs.get(self.pk_url_kwarg)
        slug = self.kwargs.get(self.slug_url_kwarg)
        if pk is not None:
            qs = qs.filter(pk=pk)
        elif slug is not None:
            qs = qs.filter(**{self.slug_field: slug})
        else:
            raise exceptions.ImproperlyConfigured("%s: no pk or slug in the URL" % type(self).__name__)
        obj = qs.first()
        if obj is None:
            raise exceptions.NotFound("No %s matches this address." % qs.model._meta.verbose_name)
        return obj

    def get_context_object_name(self, obj):
        return self.context_object_name or type(obj).__name__.lower()

    def get_context_data(self, **kwargs):
        kwargs["object"] = self.object
        kwargs[self.get_context_object_name(self.object)] = self.object
        return super().get_context_data(**kwargs)


class MultipleObjectMixin(ContextMixin):
    model = None
    queryset = None
    paginate_by = None
    max_paginate_by = 100
    page_kwarg = "page"
    ordering = None
    # ?sort= values a client may ask for, mapped to order_by() arguments.
    orderings = {}
    context_object_name = None

    def get_queryset(self):
        if self.queryset is not None:
            qs = self.queryset.all()
        elif self.model is not None:
            qs = self.model.objects.all()
        else:
            raise exceptions.ImproperlyConfigured("%s needs a model or a queryset" % type(self).__name__)
        ordering = self.get_ordering()
        if ordering:
            qs = qs.order_by(*ordering)
        return qs

    def get_sort(self):
        sort = self.request.args.get("sort")
        return sort if sort in self.orderings else None

    def get_ordering(self):
        sort = self.get_sort()
        if sort:
            return self.orderings[sort]
        return self.ordering

    def get_paginate_by(self):
        per_page = self.request.args.get("per_page", type=int)
        if per_page and 0 < per_page <= self.max_paginate_by:
            return per_page
        return self.paginate_by

    def paginate(self, qs, per_page):
        paginator = Paginator(qs, per_page)
        page = paginator.get_page(self.request.args.get(self.page_kwarg, 1))
        return paginator, page

    def get_context_data(self, **kwargs):
        qs = kwargs.pop("object_list", self.object_list)
        per_page = self.get_paginate_by()
        name = self.context_object_name or "%s_list" % qs.model.__name__.lower()
        if per_page:
            paginator, page = self.paginate(qs, per_page)
            kwargs.update(paginator=paginator, page=page, is_paginated=page.has_other_pages(),
                          object_list=page.object_list)
            kwargs[name] = page.object_list
        else:
            kwargs.update(paginator=None, page=None, is_paginated=False, object_list=qs)
            kwargs[name] = qs
        kwargs["sort"] = self.get_sort()
        return super().get_context_data(**kwargs)


class BaseListView(MultipleObjectMixin, View):
    def get(self, request, **kwargs):
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data())


class ListView(TemplateResponseMixin, BaseListView):
    pass


class BaseDetailView(SingleObjectMixin, View):
    def get(self, request, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())


class DetailView(TemplateResponseMixin, BaseDetailView):
    pass


# --- forms -----------------------------------------------------------------------------


class FormMixin(ContextMixin):
    form_class = None
    initial = {}
    success_status = 201

    def get_form_kwargs(self):
        kwargs = {"initial": dict(self.initial)}
        if self.request.method in ("POST", "PUT", "PATCH"):
            kwargs["data"] = self.request.form
        return kwargs

    def get_form(self):
        return self.form_class(**self.get_form_kwargs())

    def form_valid(self, form):
        raise NotImplementedError

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.get_form())
        return super().get_context_data(**kwargs)


class ProcessFormView(View):
    def get(self, request, **kwargs):
        return self.render_to_response(self.get_context_data())

    def post(self, request, **kwargs):
        form = self.get_form()
        if form.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)


class FormView(TemplateResponseMixin, FormMixin, ProcessFormView):
    pass


# --- JSON --------------------------------------------------------------------------------


class JSONResponseMixin:
    """Views that answer JSON, errors included (the application renders
    their HTTP exceptions as problem+json)."""

    json_pretty = False

    def render_json(self, data, status=200, headers=None):
        pretty = self.json_pretty or self.request.args.get("pretty") == "1"
        return JSONResponse(data, status, headers, pretty=pretty)


class CacheControlMixin:
    """Adds Cache-Control to every successful response of the view."""

    cache_max_age = None
    cache_private = False

    def dispatch(self, request, **kwargs):
        response = super().dispatch(request, **kwargs)
        if self.cache_max_age is not None and response.status_code == 200:
            response.cache_for(self.cache_max_age, public=not self.cache_private)
        return response


class APIView(JSONResponseMixin, View):
    csrf_exempt = True
    serializer_class = None

    def get_serializer(self, instance, many=False, **kwargs):
        context = {"request": self.request, "router": self.request.app.router}
        return self.serializer_class(instance, many=many, context=context, **kwargs)


class APIListView(MultipleObjectMixin, APIView):
    paginate_by = 20

    def get(self, request, **kwargs):
        qs = self.get_queryset()
        paginator, page = self.paginate(qs, self.get_paginate_by())
        data = {
            "count": paginator.count,
            "page": page.number,
            "pages": paginator.num_pages,
            "next": request.url_with(page=page.next_page_number()) if page.has_next() else None,
            "previous": request.url_with(page=page.previous_page_number()) if page.has_previous() else None,
            "results": self.get_serializer(page.object_list, many=True).data,
        }
        return self.render_json(data)


class APIDetailView(SingleObjectMixin, APIView):
    def get(self, request, **kwargs):
        self.object = self.get_object()
        return self.render_json(self.get_serializer(self.object).data)


class XMLView(TemplateResponseMixin, ContextMixin, View):
    response_class = XMLResponse

    def get(self, request, **kwargs):
        return self.render_to_response(self.get_context_data(**kwargs))
