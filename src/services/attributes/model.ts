import type { DefinitionRow } from "../../db/attributes-repo";
import type { AttributeType } from "../../schemas/attribute-vocabulary";
import { compileRules, type CompiledRule } from "./rules";

/** A definition with its validations compiled: what values are checked against. */
export interface AttributeModel {
  row: DefinitionRow;
  type: AttributeType;
  rules: CompiledRule[];
}

export function modelOf(row: DefinitionRow): AttributeModel {
  const type = row.type as AttributeType;
  return { row, type, rules: compileRules(type, row.validations, row.options) };
}
