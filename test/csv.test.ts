import { describe, expect, it } from "vitest";
import { unsafePatternReason } from "../src/services/attributes/rules";
import { csvLine, parseCsv, unguardField } from "../src/services/jobs/csv";

describe("CSV", () => {
  const text = 'a,b\r\n"x, ""quoted""",multi\nline\n\n"new\nline",2\nlast,row';

  it("parses quoted fields, doubled quotes, CRLF/LF, blank lines, and a last row without a line end", () => {
    expect(parseCsv(text, { final: true }).records).toEqual([["a", "b"], ['x, "quoted"', "multi"], ["line"], ["new\nline", "2"], ["last", "row"]]);
  });

  it("reads in chunks that always end on a record boundary, even inside quotes", () => {
    for (let cut = 1; cut < text.length; cut++) {
      const records: string[][] = [];
      let rest = text;
      let guard = 0;
      while (rest.length && guard++ < 50) {
        const final = rest.length <= cut;
        const parsed = parseCsv(rest.slice(0, cut), { final, maxRecords: 2 });
        if (parsed.consumed === 0 && !final) {
          // A record longer than the chunk: read a larger slice, as a bigger range would.
          const whole = parseCsv(rest, { final: true, maxRecords: 1 });
          records.push(...whole.records);
          rest = rest.slice(whole.consumed);
          continue;
        }
        records.push(...parsed.records);
        rest = rest.slice(parsed.consumed);
      }
      expect(records, `cut at ${cut}`).toEqual(parseCsv(text, { final: true }).records);
    }
  });

  it("writes fields that round-trip, neutralising formula-looking cells", () => {
    const values = ["plain", "with,comma", 'with "quote"', "line\nbreak", "=SUM(A1)", "+91987", " padded "];
    const line = csvLine(values);
    const [parsed] = parseCsv(line, { final: true }).records;
    expect(parsed!.map(unguardField)).toEqual(values);
    expect(line).toContain("'=SUM(A1)");
  });
});

describe("regex guard", () => {
  it("accepts ordinary patterns and rejects catastrophic shapes", () => {
    for (const ok of ["^[A-Z]{3}\\d{3}$", "^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", "^(?:\\+91)?\\d{10}$", "^(ab|cd)$", "(?<year>\\d{4})-\\d{2}"]) {
      expect(unsafePatternReason(ok), ok).toBeUndefined();
    }
    for (const bad of ["(a+)+$", "(a*)*b", "(\\w+\\s?)+$", "(a|ab)*c", "((a)+)?x", "(x+x+)+y", "(a)\\1"]) {
      expect(unsafePatternReason(bad), bad).toBeDefined();
    }
  });
});
