import { beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO, freshEmail, freshMobile, platformSdk, storefrontSdk } from "./clients";

/**
 * User attributes, user groups and import/export jobs through the unmodified platform SDK
 * (strictResponseCheck) and the storefront SDK's attribute calls, against the real Worker.
 */
const workerUrl = inject("workerUrl");
const unique = () => Math.random().toString(36).slice(2, 8);

type Platform = Awaited<ReturnType<typeof platformSdk>>;

describe("platform SDK: attributes, groups, jobs (strictResponseCheck)", () => {
  let platform: Platform;
  let admin: Platform["admin"];
  let customer: { userId: string; email: string };

  beforeAll(async () => {
    platform = await platformSdk(workerUrl);
    admin = platform.admin;
    const email = freshEmail("attributes");
    const { user } = await admin.createUser({ body: { phone_number: `+91${freshMobile()}`, email, first_name: "Attri" } });
    customer = { userId: user?._id ?? "", email };
  });

  describe("attribute definitions and values", () => {
    let city: { _id: string; slug: string };

    beforeAll(async () => {
      const slug = `city_${unique()}`;
      const created = await admin.createUserAttributeDefinition({
        body: { name: "City", slug, description: "Where the customer lives", type: "string", customer_editable: true, registration: { enabled: false, type: "optional" } },
      });
      expect(created).toMatchObject({ _id: expect.any(String), slug, type: "string", customer_editable: true });
      city = { _id: created._id ?? "", slug };
    });

    it("lists, reads and updates the definition", async () => {
      const list = await admin.getUserAttributeDefinitions({ slug: city.slug, pageSize: 5, pageNo: 1 });
      expect(list.items?.map((d: { _id?: string }) => d._id)).toEqual([city._id]);
      expect(list.page).toMatchObject({ current: 1, size: 5 });
      expect(await admin.getUserAttributeDefinitionById({ attributeDefId: city._id })).toMatchObject({ _id: city._id, name: "City" });
      const updated = await admin.updateUserAttributeDefinition({
        attributeDefId: city._id,
        body: { name: "Home city", description: "Changed", type: "string", customer_editable: true },
      });
      expect(updated).toMatchObject({ _id: city._id, name: "Home city", description: "Changed" });
    });

    it("sets, reads, filters by and deletes a customer's value", async () => {
      const value = await admin.updateUserAttribute({
        attributeDefId: city._id,
        userId: customer.userId,
        body: { customer_overridden: false, attribute: { value: "Pune" } },
      });
      expect(value).toMatchObject({ user_id: customer.userId, user_attribute_definition_id: city._id, attribute: { value: "Pune" } });
      expect(await admin.getUserAttribute({ attributeDefId: city._id, userId: customer.userId })).toMatchObject({ attribute: { value: "Pune" } });
      expect(await admin.getUserAttributeById({ attributeId: value._id ?? "" })).toMatchObject({ _id: value._id });
      const forUser = await admin.getUserAttributesForUser({ userId: customer.userId });
      expect(forUser.items?.map((v: { _id?: string }) => v._id)).toContain(value._id);

      const filtered = await admin.filterUsersByAttributes({
        body: { query: { type: "and", limit: 10, page: 1, conditions: [{ definition_id: city._id, type: "eq", value: "Pune" }], definition_ids: [city._id] } },
      });
      expect(filtered.items?.map((u) => u._id)).toEqual([customer.userId]);

      const bulk = await admin.updateUserAttributes({ userId: customer.userId, body: { attributes: [{ definition_id: city._id, value: "Mumbai" }] } });
      expect(bulk).toMatchObject({ success: true, attributes: [{ attribute: { value: "Mumbai" } }] });

      expect(await admin.deleteUserAttribute({ attributeDefId: city._id, userId: customer.userId })).toMatchObject({ success: expect.any(String) });
      expect((await admin.getUserAttributesForUser({ userId: customer.userId })).items?.map((v: { _id?: string }) => v._id)).not.toContain(value._id);
    });

    // The storefront SDK 3.4.2 has no getAttributesDefinition (the contract's 48th operation).
    it("the storefront SDK edits and reads the customer's own customer-editable value", async () => {
      const session = await admin.createUserSession({ body: { user_id: customer.userId, domain: "shop.example.com" } });
      const { client, config } = storefrontSdk(workerUrl);
      config.setCookie(`f.session=${session.cookie?.["f.session"]}`);

      const edited = await client.user.updateUserAttributes({ body: { attributes: { [city.slug]: "Chennai" } } });
      expect(edited).toEqual({ attributes: expect.objectContaining({ [city.slug]: "Chennai" }) });
      expect(await client.user.getUserAttributes({ slug: city.slug })).toEqual({ attributes: { [city.slug]: "Chennai" } });
      expect(await admin.getUserAttribute({ attributeDefId: city._id, userId: customer.userId })).toMatchObject({ attribute: { value: "Chennai" } });
    });

    it("deleteUserAttributesInBulk, then deleteUserAttributeDefinitionById", async () => {
      await admin.updateUserAttribute({ attributeDefId: city._id, userId: customer.userId, body: { attribute: { value: "Delhi" } } });
      expect(await admin.deleteUserAttributesInBulk({ userId: customer.userId, body: { definition_ids: [city._id] } })).toMatchObject({ success: expect.any(String) });
      expect(await admin.deleteUserAttributeDefinitionById({ attributeDefId: city._id })).toMatchObject({ success: expect.any(String) });
      expect((await admin.getUserAttributeDefinitions({ slug: city.slug })).items).toEqual([]);
    });
  });

  // The platform SDK 3.4.2 has no deleteUserGroup; test/user-groups.test.ts covers it over HTTP.
  it("user groups: create, list, add members, update", async () => {
    const name = `Early birds ${unique()}`;
    const definition = await admin.createUserAttributeDefinition({ body: { name: "Group city", slug: `group_city_${unique()}`, type: "string" } });
    const cityId = definition._id ?? "";
    const group = await admin.createUserGroup({ body: { name, description: "first customers" } });
    expect(group).toMatchObject({ name, type: "bulk", _id: expect.any(String), uid: expect.any(Number) });
    const groupId = group._id ?? "";

    expect((await admin.getUserGroups({ name })).items?.map((g) => g._id)).toEqual([groupId]);
    expect(await admin.getUserGroupById({ groupId })).toMatchObject({ _id: groupId, name });

    const added = await admin.updateUserGroupPartially({ groupId, body: { type: "json", user_data: [{ action: "add", user_id: customer.userId }] } });
    expect(added).toMatchObject({ _id: groupId });

    const conditional = await admin.createUserGroup({
      body: { name: `${name} conditional`, description: "by attribute", type: "conditional", conditions: [{ user_attribute_definition_id: cityId, type: "eq", value: "Pune" }] },
    });
    expect(conditional).toMatchObject({ type: "conditional", conditions: [{ user_attribute_definition_id: cityId, type: "eq", value: "Pune" }] });

    const renamed = await admin.updateUserGroup({ groupId, body: { name: `${name} (renamed)`, description: "changed" } });
    expect(renamed).toMatchObject({ _id: groupId, name: `${name} (renamed)`, description: "changed" });
  });

  it("user groups: a conditional group on number, boolean and list conditions reads back in the SDK's Conditions shape", async () => {
    const age = await admin.createUserAttributeDefinition({ body: { name: "Group age", slug: `group_age_${unique()}`, type: "number" } });
    const vip = await admin.createUserAttributeDefinition({ body: { name: "Group vip", slug: `group_vip_${unique()}`, type: "boolean" } });
    const city = await admin.createUserAttributeDefinition({ body: { name: "Group city", slug: `group_city_${unique()}`, type: "string" } });
    // The SDK's ConditionsSchema types value as a string: a list goes as its JSON text.
    const conditions = [
      { user_attribute_definition_id: age._id ?? "", type: "gte", value: "18" },
      { user_attribute_definition_id: vip._id ?? "", type: "eq", value: "true" },
      { user_attribute_definition_id: city._id ?? "", type: "in", value: '["Pune","Delhi"]' },
    ];
    const group = await admin.createUserGroup({ body: { name: `Typed ${unique()}`, description: "typed conditions", type: "conditional", conditions } });
    const expected = conditions.map((c, i) => ({ ...c, key: [age.slug, vip.slug, city.slug][i] }));
    expect(group.conditions).toEqual(expected);
    // Read back by _id and by uid; strictResponseCheck validates each answer against UserGroupResponseSchema.
    expect((await admin.getUserGroupById({ groupId: group._id ?? "" })).conditions).toEqual(expected);
    expect(await admin.getUserGroupById({ groupId: String(group.uid) })).toMatchObject({ _id: group._id });
    expect((await admin.getUserGroups({ name: group.name })).items?.[0]?.conditions).toEqual(expected);
    const updated = await admin.updateUserGroup({ groupId: String(group.uid), body: { description: "by uid" } });
    expect(updated).toMatchObject({ _id: group._id, description: "by uid", conditions: expected });

    // A client other than the SDK may send JSON numbers, booleans and lists; the SDK still reads that group.
    const token = await platform.config.oauthClient.getAccessToken();
    const raw = await fetch(`${workerUrl}/service/platform/user/v1.0/company/${DEMO.companyId}/application/${DEMO.applicationId}/user_group`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: `Typed raw ${unique()}`,
        description: "typed JSON values",
        type: "conditional",
        conditions: [
          { user_attribute_definition_id: age._id, type: "btw", value: [18, 40] },
          { user_attribute_definition_id: vip._id, type: "eq", value: true },
          { user_attribute_definition_id: city._id, type: "in", value: ["Pune", "Delhi"] },
        ],
      }),
    });
    expect(raw.status).toBe(200);
    const rawGroup = (await raw.json()) as { _id: string };
    expect((await admin.getUserGroupById({ groupId: rawGroup._id })).conditions?.map((c) => c.value)).toEqual(["[18,40]", "true", '["Pune","Delhi"]']);
    expect((await admin.getUserGroups({ type: "conditional" })).items?.map((g) => g._id)).toContain(rawGroup._id);
  });

  it("jobs: an import of an uploaded CSV and an export run in the background and are listed", async () => {
    // PlatformConfig.getAccessToken() reads .access_token off the string its OAuth client returns (undefined in 3.4.2).
    const token = await platform.config.oauthClient.getAccessToken();
    const imported = freshEmail("imported");
    const upload = await fetch(
      `${workerUrl}/service/platform/user/v1.0/company/${DEMO.companyId}/application/${DEMO.applicationId}/users/files?file_name=customers.csv`,
      { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" }, body: `email,first_name\n${imported},Imported\n` },
    );
    expect(upload.status).toBe(200);
    const file = (await upload.json()) as { absolute_url: string; relative_url: string };

    const importJob = await admin.bulkImportStoreFrontUsers({ body: { absolute_url: file.absolute_url, relative_url: file.relative_url, file_format: "CSV" } });
    expect(importJob).toMatchObject({ _id: expect.any(String), action_type: "import", application_id: DEMO.applicationId, company_id: DEMO.companyId });
    const exportJob = await admin.createBulkExportUsers({ body: { file_format: "csv" } });
    expect(exportJob).toMatchObject({ action_type: "export", file_format: expect.stringMatching(/csv/i) });
    // XLSX runs through the converter Worker that wrangler dev starts beside the service.
    const xlsxJob = await admin.createBulkExportUsers({ body: { file_format: "XLSX" } });
    expect(xlsxJob).toMatchObject({ action_type: "export", file_format: "xlsx", file_name: expect.stringMatching(/\.xlsx$/) });

    for (const job of [importJob, exportJob, xlsxJob]) {
      await expect
        .poll(async () => (await admin.getUsersJobByJobId({ jobId: job._id ?? "" })).status, { timeout: 30_000, interval: 250 })
        .toBe("complete");
    }
    expect((await admin.getBulkImportUsersList({})).items?.map((j) => j._id)).toContain(importJob._id);
    expect((await admin.getBulkExportUsersList({})).items?.map((j) => j._id)).toContain(exportJob._id);
    expect((await admin.getBulkExportUsersList({ fileFormat: "xlsx" })).items?.map((j) => j._id)).toEqual(expect.arrayContaining([xlsxJob._id]));
    const xlsxFile = (await admin.getUsersJobByJobId({ jobId: xlsxJob._id ?? "" })).links?.file?.relative_url ?? "";
    const download = await fetch(`${workerUrl}${xlsxFile}`, { headers: { authorization: `Bearer ${token}` } });
    expect(download.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect([...new Uint8Array(await download.arrayBuffer()).subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    expect((await admin.searchUsers({ query: [imported] })).users?.[0]).toMatchObject({ first_name: "Imported" });
  });
});
