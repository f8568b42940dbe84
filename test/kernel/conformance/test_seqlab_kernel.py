"""jupyter_kernel_test (the Jupyter project's kernel conformance suite) against seqlab.

Run by test/kernel/conformance.test.ts with JUPYTER_PATH pointing at a temporary prefix
where `seqlab install --prefix` put the kernelspec. Every test of the suite gets a
TypeScript sample, so none is skipped.
"""
import unittest

import jupyter_kernel_test as jkt


class SeqlabKernelTests(jkt.KernelTests):
    kernel_name = "seqlab"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("something went wrong")'

    completion_samples = [
        {"text": "Math.fl", "matches": {"floor"}},
        {"text": "Number.isSafe", "matches": {"isSafeInteger"}},
        {"text": "const seqlabCompletionProbe = 1; seqlabCompletionPr", "matches": {"seqlabCompletionProbe"}},
    ]

    complete_code_samples = ["const x = 1", 'console.log("hi")', "function f(a: number): number { return a + 1 }"]
    incomplete_code_samples = ["function f() {", "const a = [1, 2,", "if (true) {\n  console.log(1)", "const s = `open template"]
    invalid_code_samples = ["let = = 1; next()", "const 1x = 2; more()", "})( x"]

    code_page_something = "?Math.max"

    code_generate_error = 'throw new Error("boom")'

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "'seq' + 'lab'", "result": "'seqlab'"},
        {"code": "[1, 2, 3].map((x) => x * 2)", "result": "[ 2, 4, 6 ]"},
        {"code": "({ [Symbol.for('Jupyter.display')]: () => ({ 'text/html': '<b>rich</b>' }) })", "mime": "text/html", "result": "<b>rich</b>"},
    ]

    code_display_data = [
        {"code": 'display.html("<b>bold</b>")', "mime": "text/html"},
        {"code": "display.svg(\"<svg xmlns='http://www.w3.org/2000/svg'/>\")", "mime": "image/svg+xml"},
        {"code": "display.png(new Uint8Array([137, 80, 78, 71]))", "mime": "image/png"},
        {"code": "display.json({ a: [1, 2] })", "mime": "application/json"},
    ]

    code_history_pattern = "6 * 7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "Math.max"

    code_clear_output = "clearOutput()"


if __name__ == "__main__":
    unittest.main()
