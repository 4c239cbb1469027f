"""The editors' back-office, a module per model; every save, delete and action goes through catalog.services.

The site is catalog.admin.site.CatalogAdminSite, Django's default site (catalog.apps.CatalogAdminConfig,
which also imports the model admins: importing them here would register them on a site still being made).
"""
