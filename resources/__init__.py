"""Shipped data: icons, stylesheets, sample articles and training text for test models."""
