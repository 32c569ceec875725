// The Keys page (`/keys`): every key (an admin's view: all owners), a form to create one whose
// secret is shown once, and "Revoke" with a confirmation.
import { useMemo, useState } from "react";
import { Card, EmptyState, ErrorState, Loading, PageHeader } from "@/components/ui";
import { useMe } from "@/lib/me";
import { useCreateKey, useKeys, useRevokeKey, type ApiKey, type CreatedKey } from "./api/keys";
import { CreateKeyForm } from "./components/create-key-form";
import { KeysTable } from "./components/keys-table";
import { RevokeDialog } from "./components/revoke-dialog";
import { SecretDialog } from "./components/secret-dialog";
import { keyLabel, mergeKeys, NOTHING_CONFIRMED, type Confirmed } from "./lib/merge";

export default function KeysPage() {
  const me = useMe();
  const keys = useKeys();
  const create = useCreateKey();
  const revoke = useRevokeKey();
  const [created, setCreated] = useState<CreatedKey | null>(null);
  const [formGeneration, setFormGeneration] = useState(0);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [confirmed, setConfirmed] = useState<Confirmed>(NOTHING_CONFIRMED);
  const isAdmin = me.data?.scopes.includes("admin") ?? false;

  const rows = useMemo(() => mergeKeys(keys.data ?? [], confirmed), [keys.data, confirmed]);

  const submit = (draft: Parameters<typeof create.mutate>[0]) =>
    create.mutate(draft, {
      onSuccess: (answer) => {
        const { key: _secret, ...record } = answer;
        setConfirmed((c) => ({ ...c, created: [...c.created, { ...record, revoked: false }] }));
        setCreated(answer);
        setFormGeneration((g) => g + 1);
      },
    });

  const confirmRevoke = () => {
    if (!revoking) return;
    revoke.mutate(revoking.id, {
      onSuccess: () => {
        setConfirmed((c) => ({ ...c, revoked: [...c.revoked, revoking.id] }));
        setRevoking(null);
      },
    });
  };

  return (
    <>
      <PageHeader title="API keys">
        A key acts for one owner with the scopes it was given. Its secret is shown once, when it is created.
      </PageHeader>

      {me.data?.local ? (
        <p className="mb-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
          Local mode: once a key exists the gateway stops acting as local, and every request needs a key. Create an admin
          key first and keep its secret.
        </p>
      ) : null}

      <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,24rem)_minmax(0,1fr)]">
        {isAdmin ? (
          <Card>
            <CreateKeyForm key={formGeneration} pending={create.isPending} error={create.error} onSubmit={submit} />
          </Card>
        ) : me.data ? (
          <p className="text-sm text-slate-600">These are the keys of {me.data.owner}. Only an admin key can create keys.</p>
        ) : null}

        <Card title="Keys">
          {keys.isPending ? (
            <Loading label="Loading keys…" />
          ) : keys.isError ? (
            <ErrorState error={keys.error} retry={() => void keys.refetch()} />
          ) : rows.length === 0 ? (
            <EmptyState>No keys yet.</EmptyState>
          ) : (
            <KeysTable
              keys={rows}
              onRevoke={(key) => {
                revoke.reset();
                setRevoking(key);
              }}
            />
          )}
        </Card>
      </div>

      {created ? (
        <SecretDialog
          created={created}
          onClose={() => {
            setCreated(null);
            create.reset();
          }}
        />
      ) : null}
      {revoking ? (
        <RevokeDialog
          label={keyLabel(revoking)}
          pending={revoke.isPending}
          error={revoke.isError ? revoke.error.message : null}
          onConfirm={confirmRevoke}
          onCancel={() => setRevoking(null)}
        />
      ) : null}
    </>
  );
}
