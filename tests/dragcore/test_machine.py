"""The CPU description printed beside benchmark figures (dragcore.machine)."""

from __future__ import annotations

import llvmlite.binding as llvm

from dragcore.machine import cpu_class, cpu_label, cpu_model, vector_extensions


def test_cpu_class_follows_the_features_llvm_compiles_for():
    features = {name for name, on in llvm.get_host_cpu_features().items() if on}
    expected = (
        "AVX-512"
        if "avx512f" in features
        else "AVX2"
        if "avx2" in features
        else "AVX"
        if "avx" in features
        else "SSE"
    )
    assert cpu_class() == expected
    assert set(vector_extensions()) <= features


def test_cpu_label_names_model_class_and_extensions():
    label = cpu_label()
    assert cpu_model() in label and cpu_class() in label
    for ext in vector_extensions():
        assert ext in label
