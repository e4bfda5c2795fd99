"""The site's views, one module per part of the site."""
