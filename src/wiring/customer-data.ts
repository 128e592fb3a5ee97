import { attributeCipher } from "../crypto/attribute-cipher";
import { AttributesRepo } from "../db/attributes-repo";
import { database } from "../db/client";
import { EventsRepo } from "../db/events-repo";
import { GroupsRepo } from "../db/groups-repo";
import { JobsRepo } from "../db/jobs-repo";
import { UsersRepo } from "../db/users-repo";
import { loadConfig, type Bindings } from "../env";
import type { DefinitionDeps } from "../services/attributes/definitions";
import type { ValueDeps } from "../services/attributes/values";
import type { ListDeps } from "../services/attributes/user-lists";
import type { GroupDeps } from "../services/groups/groups";
import type { JobDeps } from "../services/jobs/jobs";

/** The stores of customer attributes, groups and jobs, wired from the Worker's bindings (routes and the queue consumer). */
export function customerDataDeps(env: Bindings): DefinitionDeps & ValueDeps & ListDeps & GroupDeps & JobDeps {
  const db = database(env.DB);
  const config = loadConfig(env);
  const groups = new GroupsRepo(db);
  return {
    db,
    d1: env.DB,
    attributes: new AttributesRepo(db),
    users: new UsersRepo(db),
    events: new EventsRepo(db),
    groups,
    jobs: new JobsRepo(db),
    cipher: attributeCipher(config.attributeEncryptionKey),
    bucket: env.USER_FILES,
    queue: env.USER_JOBS,
    xlsx: env.XLSX,
    chunkRows: config.jobChunkRows,
    groupsUsing: (applicationId, definitionId) => groups.usingDefinition(applicationId, definitionId),
  };
}
