"""Stage 3, translate: a converted OPUS-MT model (CTranslate2) -> English, streamed in order."""
