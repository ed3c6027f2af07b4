-- a 7-order moving average of each customer's order totals
select count(*), sum(ma) from (
  select avg(o_totalprice) over (partition by o_custkey order by o_orderdate, o_orderkey rows between 6 preceding and current row) as ma
  from orders
) t
