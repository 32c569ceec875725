// The functions feature: list, create, edit, and one function's page with its run panel.
export { FunctionsPage } from "./components/functions-page";
export { NewFunctionPage, EditFunctionPage } from "./components/function-edit-pages";
export { FunctionDetailPage } from "./components/function-detail-page";
