#ifndef TRACKSHEET_LIBXML2_SHIM_H
#define TRACKSHEET_LIBXML2_SHIM_H

#include <libxml/xmlversion.h>
/* Debian builds libxml2 with ICU, so encoding.h would include the system's ICU headers, which
 * clash with Foundation's own ICU module in any Swift module that imports both ("UErrorCode has
 * different definitions"). Nothing here touches the ICU converter fields; only pointers to the
 * structs that hold them are passed around, so hiding them changes no layout we use. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlsave.h>

/// The version of libxml2 this binary runs against, as libxml2 reports it ("20914").
static inline const char *tracksheet_xml_version(void) { return xmlParserVersion; }

/// Stops the parser from inside a SAX callback; the context arrives as void * there.
static inline void tracksheet_xml_stop(void *ctxt) { xmlStopParser((xmlParserCtxtPtr)ctxt); }

/// The encoding the document declared in its XML declaration, or NULL.
static inline const xmlChar *tracksheet_xml_declared_encoding(xmlParserCtxtPtr ctxt) {
    return ctxt->encoding;
}

/// The XML declaration's standalone: 1 yes, 0 no, -1 absent (-2 no declaration).
static inline int tracksheet_xml_standalone(xmlParserCtxtPtr ctxt) { return ctxt->standalone; }

/// True when libxml2 converts the part's bytes (UTF-16) before parsing them: its offsets then
/// count converted bytes, so the part cannot be copied byte for byte.
static inline int tracksheet_xml_converts(xmlParserCtxtPtr ctxt) {
    return ctxt->input && ctxt->input->buf && ctxt->input->buf->encoder != NULL;
}

/// The current line, for messages.
static inline int tracksheet_xml_line(xmlParserCtxtPtr ctxt) {
    return ctxt->input ? ctxt->input->line : 0;
}

/// Swallows what libxml2 would print to stderr (its generic handler is variadic, which Swift
/// cannot define): tracksheet reports a part's problem in one line of its own.
static inline void tracksheet_xml_quiet_generic(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }

/// Installs the quiet handlers for the calling thread and as the default of threads made later.
static inline void tracksheet_xml_silence(void) {
    xmlSetGenericErrorFunc(NULL, tracksheet_xml_quiet_generic);
    xmlThrDefSetGenericErrorFunc(NULL, tracksheet_xml_quiet_generic);
}

#endif
