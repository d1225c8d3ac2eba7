/*
 * report.c - words a leak as a finding (see report.h).
 *
 * The wording is fixed here in one place:
 *   headline: "<kind> '<handle>' acquired by <fn>() at line N is still held
 *              when the function returns here"  (or "... is lost when '<v>'
 *              goes out of scope here", "... is lost when '<v>' is
 *              overwritten here", "... is discarded here")
 *   notes:    "'<handle>' acquired here by <fn>()", one per branch, case or
 *             jump taken, and a last one at the place of the loss.
 * Step messages carry no line numbers, so the fingerprint built from them
 * survives lines moving.
 */
#include "report.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *lg_display_path(const char *path, const char *cwd)
{
	if (cwd && *cwd) {
		size_t n = strlen(cwd);
		while (n > 1 && cwd[n - 1] == '/')
			n--;
		if (strncmp(path, cwd, n) == 0 && path[n] == '/')
			return strdup(path + n + 1);
	}
	return strdup(path);
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static const char *noun(enum lg_kind k)
{
	switch (k) {
	case LG_KIND_CONNECTION: return "connection";
	case LG_KIND_RESULT: return "result";
	case LG_KIND_STATEMENT: return "statement";
	case LG_KIND_FILE: return "file";
	case LG_KIND_LOCK: return "lock";
	case LG_KIND_MEMORY: return "memory";
	case LG_KIND_HANDLE: return "handle";
	}
	return "resource";
}

static const struct lg_event *acq_event(const struct lg_fn *fn,
					const struct lg_leak *l)
{
	if (l->acq_block >= fn->n_blocks)
		return NULL;
	const struct lg_block *b = &fn->blocks[l->acq_block];
	return l->acq_event < b->n_ev ? &b->ev[l->acq_event] : NULL;
}

static const char *file_of(const struct lg_fn *fn, struct lg_loc loc)
{
	return loc.file < fn->n_files ? fn->files[loc.file] : "";
}

static int add_step(struct lg_finding *f, enum lg_step_kind kind,
		    const char *file, struct lg_loc loc, char *msg,
		    const char *cwd)
{
	if (!msg)
		return -1;
	struct lg_step *v = realloc(f->steps, (f->n_steps + 1) * sizeof(*v));
	if (!v) {
		free(msg);
		return -1;
	}
	f->steps = v;
	v[f->n_steps++] = (struct lg_step){
		kind, lg_display_path(file, cwd), loc.line, loc.col, msg
	};
	return 0;
}

static char *step_message(const struct lg_pstep *s)
{
	const char *ctx = s->context ? s->context : "";
	switch (s->kind) {
	case LG_PSTEP_TRUE:
	case LG_PSTEP_FALSE: {
		bool t = s->kind == LG_PSTEP_TRUE;
		if (s->text)
			return fmt("'%s' is %s in '%s'", s->text, t ? "true" : "false", ctx);
		if (s->is_loop)
			return t ? fmt("entering the loop '%s'", ctx)
				 : fmt("leaving the loop '%s'", ctx);
		return fmt("taking the %s branch of '%s'", t ? "true" : "false", ctx);
	}
	case LG_PSTEP_CASE:
		if (!s->text)
			return fmt("no case of '%s' matches", ctx);
		return fmt("taking '%s' of '%s'", s->text, ctx);
	case LG_PSTEP_GOTO:
		return fmt("jumping to label '%s'", s->text ? s->text : "");
	case LG_PSTEP_BREAK:
		return fmt("breaking out of the %s", ctx);
	case LG_PSTEP_CONTINUE:
		return fmt("continuing with the next iteration of the loop");
	}
	return fmt("step");
}

/* The text of a call in `fn` that releases what `handle` names, when the
 * source wrote it out whole: the fix copies it. */
static const char *release_call(const struct lg_report_ctx *rc,
				const struct lg_fn *fn, const char *handle)
{
	bool addr = handle[0] == '&';
	const char *name = addr ? handle + 1 : handle;
	for (uint32_t b = 0; b < fn->n_blocks; b++)
		for (uint32_t i = 0; i < fn->blocks[b].n_ev; i++) {
			const struct lg_event *e = &fn->blocks[b].ev[i];
			size_t n = 0;
			bool known;
			if (e->kind != LG_EV_CALL || !e->text || strstr(e->text, "..."))
				continue;
			const struct lg_effect *eff = rc->oracle->lookup(rc->oracle->ctx, e,
									 &n, &known);
			for (size_t k = 0; k < n; k++) {
				if (eff[k].kind != LG_EFFECT_RELEASE || eff[k].mask ||
				    eff[k].field || eff[k].arg < 0 ||
				    (uint32_t)eff[k].arg >= e->n_args)
					continue;
				const struct lg_opnd *a = &e->args[eff[k].arg];
				if ((a->kind == LG_OPND_VAR || a->kind == LG_OPND_ADDR) &&
				    a->var < fn->n_vars && strcmp(fn->vars[a->var].name, name) == 0)
					return e->text;
				if (a->kind == LG_OPND_LVAL && a->key && strcmp(a->key, handle) == 0)
					return e->text;
			}
		}
	return NULL;
}

/* A fix for a leak at a return, when one is safe: the function's own
 * release call for the same handle, inserted right before the return, with
 * the return's indentation. */
static void add_fix(const struct lg_report_ctx *rc, const struct lg_fn *fn,
		    const struct lg_leak *l, struct lg_finding *f)
{
	if (!rc->oracle || l->loss != LG_LOSS_RETURN || !l->handle || !f->source_line)
		return;
	bool safe = false;
	for (uint32_t i = 0; i < fn->n_blocks && !safe; i++) {
		const struct lg_block *b = &fn->blocks[i];
		safe = b->term == LG_TERM_RETURN && b->fix_safe && !b->implicit_return &&
		       b->term_loc.line == l->loss_loc.line &&
		       b->term_loc.col == l->loss_loc.col &&
		       /* `return conn;` hands it on: nothing to release */
		       !(b->ret.kind == LG_OPND_VAR && b->ret.var < fn->n_vars &&
			 strcmp(fn->vars[b->ret.var].name, l->handle) == 0);
	}
	const char *call = safe ? release_call(rc, fn, l->handle) : NULL;
	if (!call)
		return;
	size_t indent = 0;
	while (f->source_line[indent] == ' ' || f->source_line[indent] == '\t')
		indent++;
	/* the return must start its line: inserting before it is then clean */
	if (f->col != indent + 1)
		return;
	f->fix_text = fmt("%.*s%s;\n", (int)indent, f->source_line, call);
	f->fix_line = f->line;
}

static int one(const struct lg_report_ctx *rc, const struct lg_fn *fn,
	       const struct lg_leak *l, struct lg_findings *out)
{
	const struct lg_event *ae = acq_event(fn, l);
	if (!ae || l->resource >= rc->rules->n_resources)
		return 0;
	const struct lg_resource *res = &rc->rules->resources[l->resource];
	const char *kind = noun(res->kind);
	const char *acquirer = ae->callee ? ae->callee : "?";
	bool named = l->handle != NULL;
	const char *hname = named ? l->handle : (ae->text ? ae->text : acquirer);
	const char *lost = l->lost ? l->lost : hname;
	bool lost_temp = l->lost_is_temp;
	/* through wrappers: "get_conn() -> pool_acquire()" */
	char *chain = NULL;
	if (l->via && asprintf(&chain, "%s", l->via) < 0)
		chain = NULL;
	char *acq_how = chain ? chain : fmt("%s()", acquirer);
	bool implicit = false;
	for (uint32_t i = 0; i < fn->n_blocks; i++) {
		const struct lg_block *b = &fn->blocks[i];
		if (b->term == LG_TERM_RETURN && b->implicit_return &&
		    b->term_loc.line == l->loss_loc.line &&
		    b->term_loc.col == l->loss_loc.col && l->loss == LG_LOSS_RETURN)
			implicit = true;
	}

	struct lg_finding f;
	memset(&f, 0, sizeof(f));
	f.rule_id = strdup(res->id);
	f.kind = res->kind;
	f.function = strdup(fn->name);
	f.handle = strdup(hname);
	f.acquirer = strdup(acquirer);
	f.loss = l->loss;
	f.file = lg_display_path(file_of(fn, l->loss_loc), rc->cwd);
	f.line = l->loss_loc.line;
	f.col = l->loss_loc.col;
	f.acq_file = lg_display_path(file_of(fn, ae->loc), rc->cwd);
	f.acq_line = ae->loc.line;
	f.acq_col = ae->loc.col;
	if (rc->line) {
		size_t len = 0;
		const char *s = rc->line(rc->line_ctx, file_of(fn, l->loss_loc),
					 l->loss_loc.line, &len);
		if (s)
			f.source_line = strndup(s, len);
	}

	char who[200];
	if (named)
		snprintf(who, sizeof(who), "%s '%s'", kind, hname);
	else
		snprintf(who, sizeof(who), "%s", kind);
	switch (l->loss) {
	case LG_LOSS_RETURN:
		f.message = fmt("%s acquired by %s() at line %u is still held %s",
				who, acquirer, ae->loc.line,
				implicit ? "at the end of the function"
					 : "when the function returns here");
		break;
	case LG_LOSS_SCOPE:
		f.message = lost_temp
			? fmt("%s returned by %s() at line %u is discarded here without being released",
			      kind, acquirer, ae->loc.line)
			: fmt("%s acquired by %s() at line %u is lost when '%s' goes out of scope here",
			      who, acquirer, ae->loc.line, lost);
		break;
	case LG_LOSS_OVERWRITE:
		f.message = fmt("%s acquired by %s() at line %u is lost when '%s' is overwritten here",
				who, acquirer, ae->loc.line, lost);
		break;
	}

	int rc_ = 0;
	rc_ |= add_step(&f, LG_STEP_ACQUIRE, file_of(fn, ae->loc), ae->loc,
			named ? fmt("'%s' acquired here by %s", hname, acq_how ? acq_how : "?")
			      : fmt("%s acquired here by %s", kind, acq_how ? acq_how : "?"),
			rc->cwd);
	free(acq_how);
	for (uint32_t i = 0; i < l->n_path && rc_ == 0; i++) {
		int32_t si = l->path[i];
		if (si < 0 || (uint32_t)si >= fn->n_steps)
			continue;
		const struct lg_pstep *s = &fn->steps[si];
		enum lg_step_kind k = s->kind == LG_PSTEP_CASE ? LG_STEP_CASE
				     : (s->kind == LG_PSTEP_TRUE || s->kind == LG_PSTEP_FALSE)
					     ? LG_STEP_BRANCH : LG_STEP_JUMP;
		rc_ |= add_step(&f, k, file_of(fn, s->loc), s->loc, step_message(s),
				rc->cwd);
	}
	char *loss_msg = NULL;
	switch (l->loss) {
	case LG_LOSS_RETURN:
		loss_msg = implicit ? fmt("reaching the end of the function with '%s' still held", hname)
				    : fmt("returning with '%s' still held", hname);
		break;
	case LG_LOSS_SCOPE:
		loss_msg = lost_temp ? fmt("the result of %s() is discarded here", acquirer)
				     : fmt("'%s' goes out of scope here", lost);
		break;
	case LG_LOSS_OVERWRITE:
		loss_msg = fmt("'%s' is overwritten here", lost);
		break;
	}
	if (rc_ == 0)
		rc_ |= add_step(&f, LG_STEP_LOSS, file_of(fn, l->loss_loc), l->loss_loc,
				loss_msg, rc->cwd);
	else
		free(loss_msg);

	if (rc_ == 0)
		add_fix(rc, fn, l, &f);
	if (rc_ || !f.rule_id || !f.function || !f.handle || !f.acquirer ||
	    !f.file || !f.acq_file || !f.message || lg_finding_fingerprint(&f) < 0) {
		lg_finding_release(&f);
		return -1;
	}
	return lg_findings_push(out, &f);
}

int lg_report(const struct lg_report_ctx *rc, const struct lg_fn *fn,
	      const struct lg_leaks *leaks, struct lg_findings *out)
{
	for (size_t i = 0; i < leaks->n; i++)
		if (one(rc, fn, &leaks->v[i], out) < 0)
			return -1;
	return 0;
}
