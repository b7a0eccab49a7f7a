"""The Träger portal (web pages behind personal links, and the Geschäftsstelle view).

Start with ``sozialforum.portal.app``: its docstring explains how other areas add pages.
"""
