"""Audiences: who a quiz (and later a material or campaign) is for."""
