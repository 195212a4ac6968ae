// The @pulumi/policy types the pack's tests use: they live outside policy/ and resolve packages
// from the repo root, where @pulumi/policy is not installed.
export type {
  Policies,
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from '@pulumi/policy';
