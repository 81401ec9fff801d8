"""Reflections (心得体会): members write, organisers accept or return them."""
