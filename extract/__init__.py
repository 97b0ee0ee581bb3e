"""Casualty and loss figures from Arabic and English text: ``extract_claims(text) -> list[Claim]``."""
from extract.claim import Claim
from extract.engine import EXTRACTOR_VERSION, extract_claims

__all__ = ["Claim", "extract_claims", "EXTRACTOR_VERSION"]
