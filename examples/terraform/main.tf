# infisical-e2ee with plain Terraform (1.11+): environments, secrets (explicit, write-only,
# generated with a rotation trigger), a service token and, optionally, a project membership.
# Every value and comment is encrypted on this machine before it reaches the server.
#
#   infisical-e2ee install-terraform-provider
#   terraform init && terraform apply -var project_id=... -var db_password=...
#   (host, email and password come from INFISICAL_HOST/EMAIL/PASSWORD unless set as variables)

terraform {
  required_version = ">= 1.11"
  required_providers {
    infisicale2ee = {
      source = "infisical-e2ee/infisicale2ee"
    }
  }
}

# Connection: null (the default) lets the provider read INFISICAL_HOST, INFISICAL_EMAIL and
# INFISICAL_PASSWORD, which is what `npm start` prints; set the variables to override.
variable "host" {
  type        = string
  description = "Infisical site URL (or the embedded server's URL); null reads INFISICAL_HOST."
  default     = null
}

variable "email" {
  type        = string
  description = "Login email; null reads INFISICAL_EMAIL."
  default     = null
}

variable "password" {
  type        = string
  description = "Login password; null reads INFISICAL_PASSWORD."
  sensitive   = true
  default     = null
}

variable "project_id" {
  type = string
}

variable "api_url" {
  type    = string
  default = "https://api.example.com"
}

# Ephemeral: the value reaches the provider but never a plan or state file.
variable "db_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

# Bump to send a new db_password (write-only values never diff by themselves).
variable "db_password_version" {
  type    = number
  default = 1
}

# Change to generate a new session key.
variable "session_key_rotation" {
  type    = string
  default = "2025-01"
}

# Set to the email of an existing user of the organization to add them to the project.
variable "member_email" {
  type    = string
  default = ""
}

provider "infisicale2ee" {
  host     = var.host
  email    = var.email
  password = var.password
}

resource "infisicale2ee_environment" "qa" {
  project_id = var.project_id
  name       = "QA"
  slug       = "qa"
}

resource "infisicale2ee_secret" "api_url" {
  project_id  = var.project_id
  environment = infisicale2ee_environment.qa.slug
  key         = "API_URL"
  value       = var.api_url
  comment     = "Public endpoint"
}

resource "infisicale2ee_secret" "db_password" {
  project_id       = var.project_id
  environment      = infisicale2ee_environment.qa.slug
  path             = "/db"
  key              = "DB_PASSWORD"
  value_wo         = var.db_password
  value_wo_version = var.db_password_version

  create_missing_folders = true
}

resource "infisicale2ee_secret" "session_key" {
  project_id  = var.project_id
  environment = infisicale2ee_environment.qa.slug
  key         = "SESSION_KEY"
  generate = {
    length  = 48
    symbols = true
  }
  rotation_trigger = var.session_key_rotation
}

resource "infisicale2ee_service_token" "ci" {
  project_id = var.project_id
  name       = "ci"
  scopes = [
    { environment = infisicale2ee_environment.qa.slug, secret_path = "/" },
  ]
  permissions = ["read"]
}

resource "infisicale2ee_project_membership" "member" {
  count      = var.member_email == "" ? 0 : 1
  project_id = var.project_id
  email      = var.member_email
  role       = "member"
}

data "infisicale2ee_secrets" "qa_root" {
  project_id  = var.project_id
  environment = infisicale2ee_environment.qa.slug
  depends_on  = [infisicale2ee_secret.api_url, infisicale2ee_secret.session_key]
}

output "ci_token" {
  value     = infisicale2ee_service_token.ci.token
  sensitive = true
}

# The list carries decrypted values, so Terraform treats all of it as sensitive.
output "qa_root_keys" {
  value     = sort([for s in data.infisicale2ee_secrets.qa_root.secrets : s.key])
  sensitive = true
}
