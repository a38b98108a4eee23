// Anchors ponte_pch, the target whose precompiled header (the JSON library and fmt) every
// library and test reuses: one compilation of it per build instead of one per target.
