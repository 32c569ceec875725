// The services' MongoDB users (compose.yaml): one per service with read models, allowed to read
// and write its own database `s3c_<service>` only. The mongo image runs this once, as the root
// user, when it starts on an empty data volume; each password comes from the container's
// environment (MONGO_<SERVICE>_PASSWORD, from `s3c compose-env`).
for (const service of ["registry", "executor", "billing", "scaler"]) {
  const variable = `MONGO_${service.toUpperCase()}_PASSWORD`;
  const password = process.env[variable];
  if (!password) {
    throw new Error(`${variable} is not set`);
  }
  const database = `s3c_${service}`;
  db.getSiblingDB(database).createUser({
    user: service,
    pwd: password,
    roles: [{ role: "readWrite", db: database }],
  });
}
