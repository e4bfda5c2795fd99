"""plainweb's ORM: models over SQLite, lazily queried.

The public names are re-exported here: `from plainweb import orm` and
then `orm.Model`, `orm.CharField`, `orm.Q`, `orm.Count`...
"""
from .db import Database, close_all
from .expressions import Avg, Count, F, Max, Min, Q, Sum
from .fields import (CASCADE, PROTECT, SET_NULL, AutoField, BooleanField, CharField,
                     DateField, DateTimeField, DecimalField, EmailField, Field, FieldError,
                     FloatField, ForeignKey, IntegerField, JSONField, ManyToManyField,
                     PositiveIntegerField, SlugField, TextField, URLField, UUIDField)
from .models import (Manager, Model, MultipleObjectsReturned, ObjectDoesNotExist,
                     default_database, registry)
from .query import QuerySet

__all__ = [n for n in dir() if not n.startswith("_")]
