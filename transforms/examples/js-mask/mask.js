// MaskField in JavaScript, as Kafka Connect's `org.apache.kafka.connect.transforms.MaskField`
// (and transforms/mask-field in Rust, transforms/examples/python-mask in Python): replaces
// the listed fields with the empty value of their type ("" for strings, 0, false, no
// bytes). Null fields stay null.
//
// It never reads the old values: per field, one `columnTypes` call gets the type of the
// field in every record of the batch and one `setColumn` call writes the masked column
// back. Built with componentize-js (build.mjs); see README.md.

const PROPERTIES = [
  {
    name: "fields",
    type: "list",
    defaultValue: undefined,
    doc: "Names of the fields to mask (dotted paths reach nested fields).",
  },
  {
    name: "part",
    type: "string",
    defaultValue: "value",
    doc: "Which side of the record to mask: `key` or `value`.",
  },
];

const NULL = { tag: "null" };
// The value a field of each type is masked with, shared by every record.
const EMPTY = {
  string: { tag: "string", val: "" },
  boolean: { tag: "boolean", val: false },
  int8: { tag: "int8", val: 0 },
  int16: { tag: "int16", val: 0 },
  int32: { tag: "int32", val: 0 },
  int64: { tag: "int64", val: 0n },
  float32: { tag: "float32", val: 0 },
  float64: { tag: "float64", val: 0 },
  bytes: { tag: "bytes", val: new Uint8Array() },
};

// Set by `configure`, which the host calls once before any `apply`.
let fields = [];
let part = "value";

// A component error: componentize-js returns a thrown value's `payload` as the `err`.
function fail(tag, message) {
  const e = new Error(message);
  e.payload = { tag, val: message };
  return e;
}

export const configurable = {
  describe() {
    return PROPERTIES;
  },
  configure(properties) {
    const config = new Map(properties);
    const known = PROPERTIES.map((p) => p.name);
    for (const name of config.keys()) {
      if (!known.includes(name)) {
        throw fail("invalid-config", `unknown property \`${name}\`; known: ${known.join(", ")}`);
      }
    }
    const listed = (config.get("fields") ?? "")
      .split(",")
      .map((f) => f.trim())
      .filter((f) => f.length > 0);
    if (listed.length === 0) {
      throw fail("invalid-config", "`fields` must name at least one field");
    }
    const side = config.get("part") ?? "value";
    if (side !== "key" && side !== "value") {
      throw fail("invalid-config", "`part` must be `key` or `value`");
    }
    fields = listed;
    part = side;
  },
};

export const transformRecords = {
  apply(records) {
    for (const field of fields) {
      const kinds = records.columnTypes(part, field);
      const masked = kinds.map((kind) => {
        if (kind === undefined || kind === null) return NULL;
        const empty = EMPTY[kind];
        if (empty === undefined) {
          throw fail("fatal", `field \`${field}\` is a ${kind}, which cannot be masked`);
        }
        return empty;
      });
      records.setColumn(part, field, masked);
    }
  },
};
