"""Renderers: each turns a plain data model into one output format."""
