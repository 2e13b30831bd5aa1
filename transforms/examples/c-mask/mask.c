// MaskField in C, as Kafka Connect's `org.apache.kafka.connect.transforms.MaskField`:
// replaces the listed fields with the empty value of their type ("" for strings, 0,
// false, no bytes). Null fields stay null.
//
// It never reads the old values: per field, one `column-types` call gets the type of
// the field in every record of the batch and one `set-column` call writes the masked
// column back. Two boundary crossings per field per batch, whatever the batch size.
//
// The bindings (`transform.h`, `transform.c`) come from wit-bindgen's C generator:
// `sluice transform bindings --lang c --out-dir target/bindings` (./build.sh). Their
// ownership rule: what an export returns is freed by the bindings after the host has
// read it, so it must come from malloc (the `*_dup` helpers); what an import returns
// belongs to the caller, who frees it with the matching `*_free`; an export's
// arguments belong to the export.

#include <stdlib.h>
#include <string.h>

#include "transform.h"

typedef sluice_plugin_types_scalar_t scalar_t;
typedef sluice_plugin_types_error_t error_t;

#define MAX_FIELDS 64

// Set by `configure`, which the host calls once before any `apply`.
static transform_string_t fields[MAX_FIELDS];
static size_t field_count;
static sluice_plugin_types_part_t part = SLUICE_PLUGIN_TYPES_PART_VALUE;

static void property(sluice_plugin_types_property_t *p, const char *name,
                     sluice_plugin_types_property_type_t type, const char *default_value,
                     const char *doc) {
    transform_string_dup(&p->name, name);
    p->type = type;
    p->default_value.is_some = default_value != NULL;
    if (default_value != NULL) transform_string_dup(&p->default_value.val, default_value);
    transform_string_dup(&p->doc, doc);
}

void exports_sluice_plugin_configurable_describe(
    exports_sluice_plugin_configurable_list_property_t *ret) {
    ret->len = 2;
    ret->ptr = calloc(ret->len, sizeof(*ret->ptr));
    property(&ret->ptr[0], "fields", SLUICE_PLUGIN_TYPES_PROPERTY_TYPE_LIST, NULL,
             "Names of the fields to mask (dotted paths reach nested fields).");
    property(&ret->ptr[1], "part", SLUICE_PLUGIN_TYPES_PROPERTY_TYPE_STRING, "value",
             "Which side of the record to mask: `key` or `value`.");
}

static bool is(const transform_string_t *s, const char *text) {
    return s->len == strlen(text) && memcmp(s->ptr, text, s->len) == 0;
}

// An `invalid-config` error; the message names the property.
static bool invalid(error_t *err, const char *message, const transform_string_t *name) {
    // `name` (at most one) is inserted where the message says `%s`.
    size_t len = strlen(message) + (name ? name->len : 0) + 1;
    char *text = malloc(len);
    const char *at = name ? strstr(message, "%s") : NULL;
    if (at) {
        size_t head = (size_t)(at - message);
        memcpy(text, message, head);
        memcpy(text + head, name->ptr, name->len);
        strcpy(text + head + name->len, at + 2);
    } else {
        strcpy(text, message);
    }
    err->tag = SLUICE_PLUGIN_TYPES_ERROR_INVALID_CONFIG;
    err->val.invalid_config.ptr = (uint8_t *)text;
    err->val.invalid_config.len = strlen(text);
    return false;
}

static bool is_space(uint8_t c) { return c == ' ' || c == '\t'; }

// Splits a comma-separated list into `fields`, trimmed, empty items skipped.
static void split_fields(const transform_string_t *list) {
    size_t start = 0;
    for (size_t i = 0; i <= list->len && field_count < MAX_FIELDS; i++) {
        if (i < list->len && list->ptr[i] != ',') continue;
        size_t from = start, to = i;
        while (from < to && is_space(list->ptr[from])) from++;
        while (to > from && is_space(list->ptr[to - 1])) to--;
        if (to > from) transform_string_dup_n(&fields[field_count++], (const char *)list->ptr + from, to - from);
        start = i + 1;
    }
}

bool exports_sluice_plugin_configurable_configure(
    transform_list_tuple2_string_string_t *properties,
    exports_sluice_plugin_configurable_error_t *err) {
    bool ok = true;
    const transform_string_t *part_value = NULL;
    for (size_t i = 0; ok && i < properties->len; i++) {
        transform_string_t *name = &properties->ptr[i].f0, *value = &properties->ptr[i].f1;
        if (is(name, "fields")) {
            split_fields(value);
        } else if (is(name, "part")) {
            part_value = value;
        } else {
            ok = invalid(err, "unknown property `%s`; known: fields, part", name);
        }
    }
    if (ok && field_count == 0) ok = invalid(err, "`fields` must name at least one field", NULL);
    if (ok && part_value != NULL) {
        if (is(part_value, "key")) part = SLUICE_PLUGIN_TYPES_PART_KEY;
        else if (!is(part_value, "value")) ok = invalid(err, "`part` must be `key` or `value`", NULL);
    }
    transform_list_tuple2_string_string_free(properties);
    return ok;
}

// The value a field of each type is masked with; `false` for types that cannot be.
static bool empty_of(sluice_plugin_types_option_schema_type_t kind, scalar_t *out) {
    memset(out, 0, sizeof(*out)); // zero, false, and the empty string and bytes
    if (!kind.is_some) {
        out->tag = SLUICE_PLUGIN_TYPES_SCALAR_NULL; // a null (or absent) field stays null
        return true;
    }
    switch (kind.val) {
    case SLUICE_PLUGIN_TYPES_SCHEMA_TYPE_STRING: out->tag = SLUICE_PLUGIN_TYPES_SCALAR_STRING; return true;
    case SLUICE_PLUGIN_TYPES_SCHEMA_TYPE_BOOLEAN: out->tag = SLUICE_PLUGIN_TYPES_SCALAR_BOOLEAN; return true;
    case SLUICE_PLUGIN_TYPES_SCHEMA_TYPE_INT8: out->tag = SLUICE_PLUGIN_TYPES_SCALAR_INT8; return true;
    case SLUICE_PLUGIN_TYPES_SCHEMA_TYPE_INT16: out->tag = SLUICE_PLUGIN_TYPES_SCALAR_INT16; return true;
    case SLUICE_PLUGIN_TYPES_SCHEMA_TYPE_INT32: out->tag = SLUICE_PLUGIN_TYPES_SCALAR_INT32; return true;
    case SLUICE_PLUGIN_TYPES_SCHEMA_TYPE_INT64: out->tag = SLUICE_PLUGIN_TYPES_SCALAR_INT64; return true;
    case SLUICE_PLUGIN_TYPES_SCHEMA_TYPE_FLOAT32: out->tag = SLUICE_PLUGIN_TYPES_SCALAR_FLOAT32; return true;
    case SLUICE_PLUGIN_TYPES_SCHEMA_TYPE_FLOAT64: out->tag = SLUICE_PLUGIN_TYPES_SCALAR_FLOAT64; return true;
    case SLUICE_PLUGIN_TYPES_SCHEMA_TYPE_BYTES: out->tag = SLUICE_PLUGIN_TYPES_SCALAR_BYTES; return true;
    default: return false; // arrays, maps and structs
    }
}

static bool fatal(error_t *err, const transform_string_t *field) {
    const char *tail = "` is an array, a map or a struct, which cannot be masked";
    size_t len = strlen("field `") + field->len + strlen(tail);
    char *text = malloc(len + 1);
    strcpy(text, "field `");
    memcpy(text + 7, field->ptr, field->len);
    strcpy(text + 7 + field->len, tail);
    err->tag = SLUICE_PLUGIN_TYPES_ERROR_FATAL;
    err->val.fatal.ptr = (uint8_t *)text;
    err->val.fatal.len = len;
    return false;
}

// A field error from the host (no such field, wrong type) as a `fatal` error.
static bool host_refused(error_t *err, sluice_plugin_types_field_error_t *why) {
    err->tag = SLUICE_PLUGIN_TYPES_ERROR_FATAL;
    if (why->tag == SLUICE_PLUGIN_TYPES_FIELD_ERROR_NO_SUCH_RECORD) {
        transform_string_dup(&err->val.fatal, "the host refused a record index");
    } else {
        // no-such-field and type-mismatch carry a message; it moves into the error.
        err->val.fatal = why->val.no_such_field;
    }
    return false;
}

bool exports_sluice_plugin_transform_records_apply(
    exports_sluice_plugin_transform_records_borrow_batch_t records,
    exports_sluice_plugin_transform_records_error_t *err) {
    for (size_t f = 0; f < field_count; f++) {
        sluice_plugin_types_list_option_schema_type_t kinds;
        sluice_plugin_types_field_error_t why;
        if (!sluice_plugin_types_method_batch_column_types(records, part, &fields[f], &kinds, &why))
            return host_refused(err, &why);
        sluice_plugin_types_list_scalar_t masked = {calloc(kinds.len ? kinds.len : 1, sizeof(scalar_t)), kinds.len};
        bool ok = true;
        for (size_t i = 0; ok && i < kinds.len; i++) ok = empty_of(kinds.ptr[i], &masked.ptr[i]);
        sluice_plugin_types_list_option_schema_type_free(&kinds);
        if (!ok) {
            free(masked.ptr);
            return fatal(err, &fields[f]);
        }
        // The masked values borrow nothing: `set-column` copies them.
        ok = sluice_plugin_types_method_batch_set_column(records, part, &fields[f], &masked, &why);
        free(masked.ptr);
        if (!ok) return host_refused(err, &why);
    }
    return true;
}
