"""Imports of the platforms' weekly exports, the roster, incident logs and manual metrics."""
