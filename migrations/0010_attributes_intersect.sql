DROP INDEX `attribute_values_subject_idx`;--> statement-breakpoint
CREATE INDEX `attribute_values_def_subject_idx` ON `attribute_values` (`def_key`,`subject`,`value_num`,`value_fold`,`month_day`);--> statement-breakpoint
CREATE INDEX `attribute_values_by_subject_idx` ON `attribute_values` (`subject`);