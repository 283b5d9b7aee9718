"""benchmarks/report.py: the machine line every benchmark section is stamped with."""

from tests.scripts import load_script

report = load_script("benchmarks/report.py")


def test_the_machine_line_names_the_processor_and_its_widest_vector_extension(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx2 fma\n\n"
                       "processor\t: 1\nmodel name\t: AMD EPYC\nflags\t\t: fpu sse2 avx2 fma\n")
    assert report._processor(str(cpuinfo)) == " (AMD EPYC, AVX2, no AVX-512)"
    cpuinfo.write_text("model name\t: Xeon\nflags\t\t: avx2 avx512f avx512bw\n")
    assert report._processor(str(cpuinfo)) == " (Xeon, AVX-512)"
    assert report._processor(str(tmp_path / "missing")) == ""
    assert report.machine().count(" CPU cores") == 1
