"""Portfolios, programmes, projects and strategic objectives."""
