import { describe, expect, it } from "vitest";
import { SubjectSet } from "../src/db/subject-set";

describe("SubjectSet", () => {
  it("reads group_concat lists, ignoring subjects outside its bounds and repeated ones", () => {
    const set = new SubjectSet(100, 200).addList("150,100,200,99,201,150,131,132").addList(null).addList("");
    expect(set.members()).toEqual([100, 131, 132, 150, 200]);
    expect(set.size).toBe(5);
  });

  it("counts and lists every bit of a word, including the 32nd", () => {
    const all = Array.from({ length: 96 }, (_, i) => 1 + i);
    const set = new SubjectSet(1, 96).addList(all.join(","));
    expect(set.size).toBe(96);
    expect(set.members()).toEqual(all);
    expect(new SubjectSet(0, 63).addList("31,32,63").members()).toEqual([31, 32, 63]);
  });

  it("intersects and subtracts", () => {
    const a = new SubjectSet(1, 1000).addList("1,5,64,500,999");
    const b = new SubjectSet(1, 1000).addList("5,64,700,999");
    const c = new SubjectSet(1, 1000).addList("999");
    expect(a.intersect(b).subtract(c).members()).toEqual([5, 64]);
  });

  it("unites", () => {
    const a = new SubjectSet(1, 1000).addList("1,64,999");
    const b = new SubjectSet(1, 1000).addList("5,64,700");
    expect(a.union(b).members()).toEqual([1, 5, 64, 700, 999]);
    expect(a.size).toBe(5);
  });

  it("is empty when its bounds are", () => {
    const set = new SubjectSet(10, 9).addList("9,10");
    expect(set.size).toBe(0);
    expect(set.members()).toEqual([]);
  });
});
