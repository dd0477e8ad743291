/** The one camelCase ↔ snake_case converter at the Terraform boundary (core names are camelCase). */

export function toSnakeCase(camel: string): string {
  return camel.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

export function toCamelCase(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, next: string) => next.toUpperCase());
}

/** Terraform type name prefix: `infisicale2ee_secret`, `infisicale2ee_project_membership`. */
export const PROVIDER_TYPE = "infisicale2ee";

export function terraformTypeName(coreName: string): string {
  return `${PROVIDER_TYPE}_${toSnakeCase(coreName)}`;
}
