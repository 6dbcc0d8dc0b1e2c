"""Tests of the timed API (a package, so the tests share ``toys``)."""
