// /functions/new and /functions/:id/edit: the form, wired to create (POST) or update (PUT).
import { Link, useNavigate, useParams } from "react-router";
import { ErrorState, Loading, PageHeader, secondaryButton } from "@/components/ui";
import { useCreateFunction, useFunction, useUpdateFunction } from "../api/functions";
import type { FunctionDraft } from "../api/types";
import { EMPTY_DRAFT, FunctionForm } from "./function-form";

export function NewFunctionPage() {
  const navigate = useNavigate();
  const create = useCreateFunction();
  return (
    <>
      <PageHeader title="New function">
        JavaScript or Python. The entry point is <code>handler</code> or <code>main</code>, else the last function declared; a JSON
        array input is spread into its arguments.
      </PageHeader>
      <FunctionForm
        initial={EMPTY_DRAFT}
        submitLabel="Create"
        pending={create.isPending}
        error={create.error}
        onSubmit={(draft) => create.mutate(draft, { onSuccess: (created) => navigate(`/functions/${created.id}`) })}
        footer={
          <Link to="/functions" className={secondaryButton}>
            Cancel
          </Link>
        }
      />
    </>
  );
}

export function EditFunctionPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const fn = useFunction(id);
  const update = useUpdateFunction(id);

  if (fn.isPending) return <Loading label="Loading function…" />;
  if (fn.isError)
    return (
      <>
        <PageHeader title="Edit function" />
        <ErrorState error={fn.error} retry={() => void fn.refetch()} />
      </>
    );

  const initial: FunctionDraft = {
    name: fn.data.name,
    description: fn.data.description ?? "",
    code: fn.data.code,
    runtime: fn.data.runtime,
    config: { timeout: fn.data.config.timeout, retryCount: fn.data.config.retryCount },
  };

  return (
    <>
      <PageHeader title={`Edit ${fn.data.name}`}>Changing the code, runtime or config makes version {fn.data.version + 1}.</PageHeader>
      <FunctionForm
        // The draft is seeded once per function: a live refetch never overwrites what is being typed.
        key={fn.data.id}
        initial={initial}
        submitLabel="Save"
        pending={update.isPending}
        error={update.error}
        onSubmit={(draft) => update.mutate(changesFrom(initial, draft), { onSuccess: () => navigate(`/functions/${id}`) })}
        footer={
          <Link to={`/functions/${id}`} className={secondaryButton}>
            Cancel
          </Link>
        }
      />
    </>
  );
}

/** Only what changed: an untouched PUT must not bump the version. */
function changesFrom(before: FunctionDraft, after: FunctionDraft): Partial<FunctionDraft> {
  const changes: Partial<FunctionDraft> = {};
  if (after.name !== before.name) changes.name = after.name;
  if (after.description !== before.description) changes.description = after.description;
  if (after.code !== before.code) changes.code = after.code;
  if (after.runtime !== before.runtime) changes.runtime = after.runtime;
  if (after.config.timeout !== before.config.timeout || after.config.retryCount !== before.config.retryCount) changes.config = after.config;
  return changes;
}
