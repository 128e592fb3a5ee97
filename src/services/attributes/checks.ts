import { ApiError } from "../../errors";
import type { AttributeModel } from "./model";
import { checkElement, elementFromText, MAX_MULTI_VALUES, splitMultiText, type AttributeValue, type Checked, type JsonValue } from "./types";

/*
 * Checking a value against its definition: type first, then each validation rule. Every failure is
 * a 400 that names the attribute (its slug) and the rule.
 */

function invalid(model: AttributeModel, rule: string, message: string, source?: string): ApiError {
  const prefix = source ? `${source}: ` : "";
  return new ApiError(400, "ATTRIBUTE_VALUE_INVALID", `${prefix}Attribute "${model.row.slug}" ${message} (rule: ${rule})`, {
    attribute: model.row.slug,
    definition_id: model.row.id,
    rule,
  });
}

function checkElementWithRules(model: AttributeModel, checked: Checked<JsonValue>, where: string, source?: string): JsonValue {
  if (!checked.ok) throw invalid(model, "type", `${where}${checked.message}`, source);
  for (const rule of model.rules) {
    const message = rule.check(checked.value);
    if (message) throw invalid(model, rule.type, `${where}${message}`, source);
  }
  return checked.value;
}

function checkList<T>(model: AttributeModel, items: T[], one: (item: T) => Checked<JsonValue>, source?: string): JsonValue[] {
  if (items.length > MAX_MULTI_VALUES) throw invalid(model, "max_items", `can hold at most ${MAX_MULTI_VALUES} values`, source);
  return items.map((item, i) => checkElementWithRules(model, one(item), `item ${i + 1} `, source));
}

/**
 * A value checked against its definition's type and validations, normalised (numbers from numeric
 * strings, emails lower-cased, phones in E.164). Multi-value attributes store a list; a single
 * element is accepted as a list of one. Failures name the attribute and the rule.
 */
export function checkValue(model: AttributeModel, input: unknown, source?: string): AttributeValue {
  if (model.row.isMultiValue) {
    return checkList(model, Array.isArray(input) ? input : [input], (e) => checkElement(model.type, e), source);
  }
  if (Array.isArray(input) && model.type !== "json") throw invalid(model, "type", "takes one value, not a list", source);
  return checkElementWithRules(model, checkElement(model.type, input), "", source);
}

/** A value read from text: a CSV cell or a definition's default_value. */
export function valueFromText(model: AttributeModel, text: string, source?: string): AttributeValue {
  if (model.row.isMultiValue) {
    return checkList(model, splitMultiText(text), (e) => elementFromText(model.type, e), source);
  }
  return checkElementWithRules(model, elementFromText(model.type, text), "", source);
}

