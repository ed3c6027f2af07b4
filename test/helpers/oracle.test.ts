/** The oracle's comparison: trailing blanks are data except in CHAR(n) columns, where they are padding. */
import { describe, expect, it } from 'vitest';
import { compareResults, paddedOfTypeNames } from './oracle.js';

describe('compareResults', () => {
  it('compares trailing blanks in VARCHAR values and ignores them in CHAR(n) values', () => {
    expect(compareResults([['ab ']], [['ab']], { ordered: true })).toMatch(/row 0, column 0/);
    expect(compareResults([['ab ']], [['ab']], { ordered: true, blankPadded: paddedOfTypeNames(['varchar(5)']) })).toMatch(/row 0, column 0/);
    expect(compareResults([['ab   ']], [['ab']], { ordered: true, blankPadded: paddedOfTypeNames(['char(5)']) })).toBeNull();
    expect(compareResults([['ab ', 'x']], [['ab ', 'x']], { ordered: false })).toBeNull();
    expect(paddedOfTypeNames(['char(1)', 'character(3)', 'varchar(4)', 'integer'])).toEqual([true, true, false, false]);
  });
});
